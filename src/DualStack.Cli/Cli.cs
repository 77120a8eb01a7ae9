using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DualStack.Cli;

/// <summary>Exit codes, the one-line error format and JSON output of the command-line tool (docs/cli.md).</summary>
internal static class Cli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        // No response files: a description may start with '@', and must never be read from a file by accident.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            return Error(Usage, MostSpecific(parseResult.Errors));
        }

        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (EndpointFormatException e)
        {
            return Error(Usage, e.Message);
        }
        catch (ArgumentException e)
        {
            return Error(Usage, e.Message);
        }
        catch (OperationCanceledException)
        {
            return Error(Failure, "cancelled");
        }
        catch (IOException e)
        {
            return Error(Failure, e.Message);
        }
#pragma warning disable CA1031 // The contract promises one error line, never a stack trace, even for our own bugs.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Error(Failure, $"internal error ({e.GetType().Name}): {e.Message}");
        }
    }

    // System.CommandLine reports an unknown token and, after it, the consequence ("Required command was not
    // provided"); the first one that names a token says more.
    private static string MostSpecific(IReadOnlyList<ParseError> errors) =>
        (errors.FirstOrDefault(e => e.Message.Contains('\'', StringComparison.Ordinal)) ?? errors[0]).Message;

    /// <summary>Writes <c>dualstack: MESSAGE</c> as one line to standard error.</summary>
    public static int Error(int exitCode, string message)
    {
        Console.Error.WriteLine("dualstack: " + message.ReplaceLineEndings(" "));
        return exitCode;
    }

    /// <summary>Writes <c>dualstack: MESSAGE</c> to standard error for a problem the command survives.</summary>
    public static void Warn(string message) => Console.Error.WriteLine("dualstack: " + message.ReplaceLineEndings(" "));

    /// <summary>Writes one JSON object as one line to standard output.</summary>
    public static void WriteJson(JsonObject value, TextWriter? to = null) => (to ?? Console.Out).WriteLine(value.ToJsonString(s_json));
}
