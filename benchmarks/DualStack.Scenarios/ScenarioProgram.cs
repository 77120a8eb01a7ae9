using System.Runtime.InteropServices;
using System.Text.Json;

namespace DualStack.Scenarios;

/// <summary>The parent's commands (the scenario benchmark and the cold-start benchmark) and the <c>measure</c> child.</summary>
internal static class ScenarioProgram
{
    private const int DefaultRuns = 7;
    private const int MinRuns = 5;
    private static readonly TimeSpan s_defaultCap = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // Unwind instead of dying, so that the lab's namespaces are deleted; a second Ctrl-C kills at once.
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                Console.Error.WriteLine("stopping: cleaning up the lab (Ctrl-C again to kill)");
                stop.Cancel();
            }
        };
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        try
        {
            return args switch
            {
                ["measure", .. var rest] => await MeasureAsync(rest, stop.Token),
                ["cold", .. var rest] => await ColdAsync(rest, stop.Token),
                _ => await BenchmarkAsync(args, stop.Token),
            };
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine("dualstack-scenarios: stopped");
            return 130;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            // A lab step, a server or a measuring child failed; the lab has been removed on the way out.
            Console.Error.WriteLine($"dualstack-scenarios: {e.Message}");
            return 1;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"dualstack-scenarios: {e.Message}");
            Console.Error.WriteLine("usage: DualStack.Scenarios [--runs N (default 7, at least 5)] [--markdown FILE] [--only KEY,KEY]");
            Console.Error.WriteLine($"       DualStack.Scenarios cold [--runs N (default {ColdStartBenchmark.DefaultRuns}, at least {MinRuns})] [--markdown FILE] [--only KEY,KEY] [--cli PATH] [--cap-ms MS (default {ColdStartBenchmark.DefaultCap.TotalMilliseconds:0})]");
            Console.Error.WriteLine("       DualStack.Scenarios measure --host NAME --port P --runs N --cap-ms MS --netns-id ID [--history]");
            Console.Error.WriteLine("       DualStack.Scenarios cold-once --client dualstack|plain --host NAME --port P --cap-ms MS --netns-id ID");
            return 2;
        }
    }

    private static async Task<int> BenchmarkAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var options = Options.Parse(arguments, ["--runs", "--markdown", "--only"], []);
        return await new ScenarioBenchmark(Runs(options, DefaultRuns), s_defaultCap, options.Value("--markdown"), Only(options)).RunAsync(cancellationToken);
    }

    private static async Task<int> ColdAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var options = Options.Parse(arguments, ["--runs", "--markdown", "--only", "--cli", "--cap-ms"], []);
        var cap = options.Int("--cap-ms", (int)ColdStartBenchmark.DefaultCap.TotalMilliseconds) is int capMs and >= 100
            ? TimeSpan.FromMilliseconds(capMs)
            : throw new UsageException("--cap-ms must be at least 100");
        var benchmark = new ColdStartBenchmark(Runs(options, ColdStartBenchmark.DefaultRuns), cap, options.Value("--markdown"), Only(options), options.Value("--cli"));
        return await benchmark.RunAsync(cancellationToken);
    }

    private static async Task<int> MeasureAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var options = Options.Parse(arguments, ["--host", "--port", "--runs", "--cap-ms", "--netns-id"], ["--history"]);
        string netnsId = options.Value("--netns-id") ?? throw new UsageException("measure needs --netns-id: the client namespace's id, which it checks before opening any socket");
        if (MeasureCommand.CheckNamespace(netnsId) is { } wrong)
        {
            Console.Error.WriteLine($"dualstack-scenarios: refusing to measure: {wrong}");
            return 1;
        }

        var command = new MeasureCommand(
            options.Value("--host") ?? throw new UsageException("measure needs --host"),
            options.Int("--port", -1) is int port and >= 1 and <= 65535 ? port : throw new UsageException("measure needs --port 1-65535"),
            options.Int("--runs", DefaultRuns) is int runs and >= 1 ? runs : throw new UsageException("measure needs --runs of at least 1"),
            options.Int("--cap-ms", (int)s_defaultCap.TotalMilliseconds) is int capMs and >= 1 ? TimeSpan.FromMilliseconds(capMs) : throw new UsageException("measure needs --cap-ms of at least 1"),
            options.Flag("--history"));
        try
        {
            var report = await command.RunAsync(cancellationToken);
            Console.WriteLine(JsonSerializer.Serialize(report, MeasureCommand.JsonOptions));
            return 0;
        }
        catch (LabEscapeException e)
        {
            Console.Error.WriteLine($"dualstack-scenarios: {e.Message}; stopping");
            return MeasureCommand.LabEscapeExitCode;
        }
    }

    private static int Runs(Options options, int defaultRuns) =>
        options.Int("--runs", defaultRuns) is int runs and >= MinRuns ? runs : throw new UsageException($"--runs must be at least {MinRuns}");

    private static HashSet<string>? Only(Options options) =>
        options.Value("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
