using System.Net;
using System.Text.Json;

namespace DualStack.Scenarios;

// The child side: runs inside the lab's client namespace (started with "ip netns exec CLIENT dotnet … measure"), so
// every socket it makes is in that namespace and the system resolver reads the namespace's hosts and resolv.conf.
// It times N connects with HostnameEndpoint and N with plain .NET, alternating which goes first, after one warm-up of
// each, and prints one JSON line. Each connect is timed from before resolution (before the socket exists, for plain
// .NET) until ConnectAsync returns a connected socket; closing it is not timed.

/// <summary>The <c>measure</c> command: time connects to one name from inside the client namespace.</summary>
internal sealed class MeasureCommand(string host, int port, int runs, TimeSpan cap, bool history)
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Exit code when a connection left from an address outside the lab: the run is void.</summary>
    public const int LabEscapeExitCode = 3;

    /// <summary>
    /// Checks that this process is inside the network namespace <paramref name="expectedId"/>, and that it is not the
    /// namespace of the process that started it (the root namespace, when the parent ran "ip netns exec").
    /// </summary>
    /// <returns>Why it is not, or <see langword="null"/>.</returns>
    public static string? CheckNamespace(string expectedId)
    {
        string? own = new FileInfo("/proc/self/ns/net").LinkTarget;
        if (own is null || own != expectedId)
        {
            return $"this process is in network namespace {own ?? "(unknown)"}, not the lab's client namespace {expectedId}";
        }

        // /proc/1 may be unreadable (a container's init), so compare with the parent, as "ip netns exec" leaves it.
        string stat = File.ReadAllText("/proc/self/stat");
        string parentId = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1];
        string? parent = new FileInfo($"/proc/{parentId}/ns/net").LinkTarget;
        return parent is null ? $"cannot read the network namespace of the parent process {parentId}"
            : parent == own ? $"this process is in the same network namespace as its parent ({own}); run it with ip netns exec"
            : null;
    }

    public static JsonSerializerOptions JsonOptions => s_json;

    public async Task<MeasureReport> RunAsync(CancellationToken cancellationToken)
    {
        var endpoint = new HostnameEndpoint(host, port);

        // Warm-up: JIT, the runtime's socket engine and resolver paths. Not reported.
        Log($"warm-up: DualStack {Describe(await DualStackSampleAsync(endpoint, cancellationToken))}");
        Log($"warm-up: plain {Describe(await PlainSampleAsync(cancellationToken))}");

        var dualStack = new List<Sample>(runs);
        var plain = new List<Sample>(runs);
        for (int run = 0; run < runs; run++)
        {
            // Alternate who goes first, so that neither always runs right after the other's cleanup.
            if (run % 2 == 0)
            {
                dualStack.Add(await DualStackSampleAsync(endpoint, cancellationToken));
                plain.Add(await PlainSampleAsync(cancellationToken));
            }
            else
            {
                plain.Add(await PlainSampleAsync(cancellationToken));
                dualStack.Add(await DualStackSampleAsync(endpoint, cancellationToken));
            }

            Log($"run {run + 1}/{runs}: DualStack {Describe(dualStack[^1])}, plain {Describe(plain[^1])}");
        }

        return new MeasureReport(host, port, history, cap.TotalMilliseconds, dualStack, plain);
    }

    // In history mode a sample is the second connect of a pair: DualStack's two connects share a fresh
    // ConnectionHistory (the first teaches it that IPv4 won); plain .NET has nothing to share, so its second connect
    // is an ordinary one, measured the same way.
    private async Task<Sample> DualStackSampleAsync(HostnameEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (!history)
        {
            return await DualStackConnectAsync(endpoint, cancellationToken);
        }

        var shared = new ConnectionHistory();
        var withHistory = endpoint with { History = shared };
        var first = await DualStackConnectAsync(withHistory, cancellationToken);
        Log($"  first of pair: DualStack {Describe(first)}");
        return await DualStackConnectAsync(withHistory, cancellationToken);
    }

    private async Task<Sample> PlainSampleAsync(CancellationToken cancellationToken)
    {
        if (!history)
        {
            return await PlainConnectAsync(cancellationToken);
        }

        var first = await PlainConnectAsync(cancellationToken);
        Log($"  first of pair: plain {Describe(first)}");
        return await PlainConnectAsync(cancellationToken);
    }

    private Task<Sample> DualStackConnectAsync(HostnameEndpoint endpoint, CancellationToken cancellationToken) =>
        TimedConnect.DualStackAsync(endpoint, cap, TimeProvider.System.GetTimestamp(), cancellationToken);

    private Task<Sample> PlainConnectAsync(CancellationToken cancellationToken) =>
        TimedConnect.PlainAsync(new DnsEndPoint(host, port), cap, TimeProvider.System.GetTimestamp(), cancellationToken);

    private static string Describe(Sample sample) => TimedConnect.Describe(sample);

    private static void Log(string message) => Console.Error.WriteLine(message);
}
