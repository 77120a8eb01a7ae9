using System.Runtime.InteropServices;
using System.Text.Json;
using DualStack.Scenarios;

// Scenario benchmark: time to connect per broken-network scenario, DualStack's HostnameEndpoint against plain
// Socket.ConnectAsync(DnsEndPoint), in network namespaces. Needs root.
//
//   dotnet run -c Release --project benchmarks/DualStack.Scenarios [-- --runs N] [--markdown FILE] [--only KEY,KEY]
//
// "measure" is the child's command, run by the parent inside the lab's client namespace; see MeasureCommand.

const int DefaultRuns = 7;
const int MinRuns = 5;
var defaultCap = TimeSpan.FromSeconds(10);

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
    return args is ["measure", .. var rest] ? await MeasureAsync(rest) : await BenchmarkAsync(args);
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
    Console.Error.WriteLine("       DualStack.Scenarios measure --host NAME --port P --runs N --cap-ms MS --netns-id ID [--history]");
    return 2;
}

async Task<int> BenchmarkAsync(string[] arguments)
{
    var options = Options.Parse(arguments, ["--runs", "--markdown", "--only"], []);
    int runs = options.Int("--runs", DefaultRuns);
    if (runs < MinRuns)
    {
        throw new UsageException($"--runs must be at least {MinRuns}, not {runs}");
    }

    var only = options.Value("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    return await new ScenarioBenchmark(runs, defaultCap, options.Value("--markdown"), only).RunAsync(stop.Token);
}

async Task<int> MeasureAsync(string[] arguments)
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
        options.Int("--cap-ms", (int)defaultCap.TotalMilliseconds) is int capMs and >= 1 ? TimeSpan.FromMilliseconds(capMs) : throw new UsageException("measure needs --cap-ms of at least 1"),
        options.Flag("--history"));
    try
    {
        var report = await command.RunAsync(stop.Token);
        Console.WriteLine(JsonSerializer.Serialize(report, MeasureCommand.JsonOptions));
        return 0;
    }
    catch (LabEscapeException e)
    {
        Console.Error.WriteLine($"dualstack-scenarios: {e.Message}; stopping");
        return MeasureCommand.LabEscapeExitCode;
    }
}
