using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace DualStack.Cli;

/// <summary>Exit codes, the one-line error format and JSON output of the command-line tool (docs/cli.md).</summary>
internal static partial class Cli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    /// <summary>Ctrl-C (SIGINT) stopped the command: 128 + the signal's number, as shells report it.</summary>
    public const int Interrupted = 130;

    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // With --json, a failure also writes one JSON object with an "error" member on standard output, unless the command
    // already wrote one (connect's result carries its error).
    private static bool s_jsonErrors;
    private static bool s_errorWritten;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        s_jsonErrors = args.Contains(CliOptions.Json.Name, StringComparer.Ordinal);
        if (args.Length == 0)
        {
            // A bare call: what there is to do, then the usage error.
            await root.Parse(["--help"]).InvokeAsync();
            return Error(Usage, "no command given; the commands are listed above");
        }

        // No response files: a description may start with '@', and must never be read from a file by accident.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            return Error(Usage, MostSpecific(parseResult.Errors));
        }

        // Ctrl-C cancels the command's token, so that what it holds is closed and its progress line cleared before the
        // one error line; listeners treat it as their signal to stop.
        using var interrupt = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            interrupt.Cancel();
        });
        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return Error(Interrupted, "interrupted");
        }
        catch (EndpointFormatException e)
        {
            return Error(Usage, e.Message);
        }
        catch (HostResolutionException e) when (e.Error == ResolutionError.BadService)
        {
            // A port out of range or an unknown service name is bad input, as a bad host literal is.
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
        Plain((errors.FirstOrDefault(e => e.Message.Contains('\'', StringComparison.Ordinal)) ?? errors[0]).Message);

    // The parser's own wording, said the way every other error of the tool is: no .NET type names, no tabs.
    private static string Plain(string message)
    {
        if (CannotParse().Match(message) is { Success: true } parse)
        {
            string type = parse.Groups["type"].Value;
            string expected = type.Contains("Int32", StringComparison.Ordinal) ? "a whole number"
                : type.Contains("Double", StringComparison.Ordinal) ? "a number"
                : "valid";
            string name = parse.Groups["kind"].Value == "option" ? parse.Groups["name"].Value : $"{parse.Groups["name"].Value}: argument";
            return $"{name} '{parse.Groups["value"].Value}' is not {expected}";
        }

        if (NotOneOf().Match(message) is { Success: true } choice)
        {
            var allowed = Quoted().Matches(choice.Groups["allowed"].Value).Select(m => m.Groups[1].Value);
            return $"'{choice.Groups["value"].Value}' is not one of {string.Join(", ", allowed)}";
        }

        return message;
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?<kind>option|command) '(?<name>[^']*)' as expected type '(?<type>[^']*)'\.$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<allowed>.*)$", RegexOptions.Singleline)]
    private static partial Regex NotOneOf();

    [GeneratedRegex("'([^']*)'")]
    private static partial Regex Quoted();

    /// <summary>
    /// Writes <c>dualstack: MESSAGE</c> as one line to standard error and, with <c>--json</c>, <c>{"error": MESSAGE}</c> to
    /// standard output unless a JSON object carrying the error was written already.
    /// </summary>
    public static int Error(int exitCode, string message)
    {
        string line = message.ReplaceLineEndings(" ");
        Console.Error.WriteLine("dualstack: " + line);
        if (s_jsonErrors && !s_errorWritten)
        {
            WriteJson(new JsonObject { ["error"] = line, ["exit_code"] = exitCode });
        }

        return exitCode;
    }

    /// <summary>Writes <c>dualstack: MESSAGE</c> to standard error for a problem the command survives.</summary>
    public static void Warn(string message) => Console.Error.WriteLine("dualstack: " + message.ReplaceLineEndings(" "));

    /// <summary>Writes one JSON object as one line to standard output.</summary>
    public static void WriteJson(JsonObject value, TextWriter? to = null)
    {
        s_errorWritten |= value["error"] is not null;
        (to ?? Console.Out).WriteLine(value.ToJsonString(s_json));
    }
}
