using System.Text.RegularExpressions;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>Assertions on the command-line tool's exit codes, error lines and JSON (docs/cli.md).</summary>
public static partial class CliAssert
{
    /// <summary>
    /// Bad usage or bad input: exit code 2, exactly one line on stderr starting <c>dualstack: </c> that contains
    /// <paramref name="quoted"/> (when given), no stack trace anywhere, and on stdout nothing, or with
    /// <paramref name="json"/> the same error as one JSON object.
    /// </summary>
    /// <returns>The error line.</returns>
    public static string UsageError(ProcessResult result, string? quoted = null, bool json = false) => Error(result, 2, quoted, json);

    /// <summary>
    /// A failure with <paramref name="exitCode"/>: one <c>dualstack: </c> line on stderr containing <paramref name="quoted"/>,
    /// no stack trace, and on stdout nothing, or with <paramref name="json"/> one JSON object whose <c>error</c> is that line's message.
    /// </summary>
    /// <returns>The error line.</returns>
    public static string Error(ProcessResult result, int exitCode, string? quoted, bool json)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit code {exitCode}; got {result}");
        NoStackTrace(result);
        string line = Assert.Single(result.StdErrLines);
        Assert.StartsWith("dualstack: ", line, StringComparison.Ordinal);
        if (quoted is not null)
        {
            Assert.Contains(quoted, line, StringComparison.Ordinal);
        }

        if (json)
        {
            var error = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(result.StdOutLines))!;
            Assert.Equal(line["dualstack: ".Length..], (string?)error["error"]);
            Assert.Equal(exitCode, (int?)error["exit_code"]);
        }
        else
        {
            Assert.True(result.StdOut.Length == 0, $"expected nothing on stdout; got {result}");
        }

        return line;
    }

    /// <summary>Neither output holds what an unhandled exception prints: <c>   at </c> frames or <c>SomeException:</c>.</summary>
    private static void NoStackTrace(ProcessResult result)
    {
        foreach (string text in new[] { result.StdOut, result.StdErr })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(ExceptionTypeName(), text);
        }
    }

    // "System.FormatException: …", "EndpointFormatException: …": a type name ending in Exception, then a colon.
    [GeneratedRegex(@"\w+Exception:")]
    private static partial Regex ExceptionTypeName();
}
