using System.Text.RegularExpressions;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>Assertions on the command-line tool's exit codes, error lines and JSON (docs/cli.md).</summary>
public static partial class CliAssert
{
    /// <summary>
    /// Bad usage or bad input: exit code 2, exactly one line on stderr starting <c>dualstack: </c> that contains
    /// <paramref name="quoted"/> (when given), nothing on stdout, no stack trace anywhere.
    /// </summary>
    /// <returns>The error line.</returns>
    public static string UsageError(ProcessResult result, string? quoted = null)
    {
        Assert.True(result.ExitCode == 2, $"expected exit code 2; got {result}");
        Assert.True(result.StdOut.Length == 0, $"expected nothing on stdout; got {result}");
        NoStackTrace(result);
        string line = Assert.Single(result.StdErrLines);
        Assert.StartsWith("dualstack: ", line, StringComparison.Ordinal);
        if (quoted is not null)
        {
            Assert.Contains(quoted, line, StringComparison.Ordinal);
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
