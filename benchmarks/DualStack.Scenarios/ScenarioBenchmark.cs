using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.Scenarios;

// The parent side, in the root namespace. It builds one NetworkLab (client and server namespaces joined by a veth
// pair, on 2001:2::/48 and 198.18.0.0/15), starts the servers and a DNS server in the server namespace, writes the
// client namespace's hosts file and resolv.conf, and for each scenario runs a child inside the client namespace
// ("ip netns exec CLIENT dotnet THIS.dll measure …") that does the connecting. This process itself never creates a
// socket outside the lab's namespaces: its sockets (listeners, DNS) are created on the server namespace's thread.
//
// Why a child process rather than NetworkNamespace.CreateSocket in this process: both clients must resolve through
// the system resolver (getaddrinfo), as real programs do, and getaddrinfo reads /etc/hosts and /etc/resolv.conf,
// which "ip netns exec" replaces with the namespace's own files for the processes it starts, and for nothing else.

/// <summary>Runs every scenario and reports DualStack's and plain .NET's median time to connect.</summary>
internal sealed class ScenarioBenchmark(int runs, TimeSpan cap, string? markdownPath, IReadOnlySet<string>? only)
{
    private const string HealthyKey = "healthy";
    private const string LateAaaaName = "aaaa-late.lab.test";
    private const string LateAName = "a-late.lab.test";
    private static readonly TimeSpan s_lateAnswer = TimeSpan.FromSeconds(1);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (NetworkLab.UnavailableReason is { } reason)
        {
            await Console.Error.WriteLineAsync($"dualstack-scenarios: the scenarios need network namespaces, which cannot be created here: {reason}. Run as root on Linux (sudo -E dotnet run -c Release --project benchmarks/DualStack.Scenarios).");
            return 1;
        }

        TestContext.Current.Use(cancellationToken);
        string dll = typeof(ScenarioBenchmark).Assembly.Location;
        string dotnet = FindDotnet();
        await using var lab = await NetworkLab.CreateAsync(cancellationToken);
        Log($"lab {lab.Number}: client {lab.Client.Name} ({lab.ClientIPv6}, {lab.ClientIPv4}), server {lab.Server.Name} ({lab.ServerIPv6}, {lab.ServerIPv4})");

        var deadIPv6 = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        var deadIPv4 = lab.AddBlackholedAddress(AddressFamily.InterNetwork);
        var fiveDeadIPv6 = Enumerable.Range(0, 5).Select(_ => lab.AddBlackholedAddress(AddressFamily.InterNetworkV6)).ToArray();

        // One dual-stack listener for every scenario where the server answers on both families, and one IPv4-only
        // listener whose port has nothing behind it on IPv6 (the server namespace answers a SYN there with a reset).
        await using var both = await AcceptingServer.StartAsync(lab.Server, TcpServerEndpoint.AllInterfaces(0), cancellationToken);
        await using var ipv4Only = await AcceptingServer.StartAsync(lab.Server, new TcpServerEndpoint(lab.ServerIPv4, 0), cancellationToken);
        Log($"servers: {string.Join(", ", both.LocalEndPoints.Select(IPLiteral.FormatEndPoint))} (both families) and {string.Join(", ", ipv4Only.LocalEndPoints.Select(IPLiteral.FormatEndPoint))} (IPv4 only)");

        // The DNS server: port 53, since resolv.conf names no port; sockets made on the server namespace's thread.
        await using var dns = new LoopbackDnsServer(new IPEndPoint(lab.ServerIPv4, 53), lab.Server.CreateSocket);
        foreach (string name in new[] { LateAaaaName, LateAName })
        {
            dns.Add(name, lab.ServerIPv6);
            dns.Add(name, lab.ServerIPv4);
        }

        string clientEtc = Path.GetDirectoryName(lab.ClientHostsPath)!;
        Directory.CreateDirectory(clientEtc);
        // timeout:2 attempts:1: a lost datagram costs 2 s once, not 5 s twice (glibc's defaults).
        await File.WriteAllTextAsync(
            Path.Combine(clientEtc, "resolv.conf"),
            $"# written by DualStack.Scenarios\nnameserver {lab.ServerIPv4}\noptions timeout:2 attempts:1\n",
            cancellationToken);

        var scenarios = new List<Scenario>
        {
            new(HealthyKey, "healthy", "healthy.lab.test", both.Port, false, NoDnsDelay(dns), Target.TimesPlain(1.05)),
            new("v6-blackholed", "IPv6 blackholed", "v6-blackholed.lab.test", both.Port, false, NoDnsDelay(dns), Target.AtMost(270, "attempt delay 250 + 20; veth RTT < 1 ms")),
            new("history", "IPv6 blackholed, 2nd connect with history", "v6-blackholed.lab.test", both.Port, true, NoDnsDelay(dns), Target.HealthyPlus(20)),
            new("v6-refused", "IPv6 refused", "v6-refused.lab.test", ipv4Only.Port, false, NoDnsDelay(dns), Target.HealthyPlus(20)),
            new("aaaa-late", "AAAA 1 s late (DNS)", LateAaaaName, both.Port, false, () => (dns.AaaaDelay, dns.ADelay) = (s_lateAnswer, TimeSpan.Zero), Target.AtMost(70, "resolution delay 50 + 20")),
            new("a-late", "A 1 s late (DNS)", LateAName, both.Port, false, () => (dns.AaaaDelay, dns.ADelay) = (TimeSpan.Zero, s_lateAnswer), Target.None),
            new("v4-blackholed", "IPv4 blackholed", "v4-blackholed.lab.test", both.Port, false, NoDnsDelay(dns), Target.None),
            new("five-dead", "five dead IPv6 + one IPv4", "five-dead.lab.test", both.Port, false, NoDnsDelay(dns), Target.AtMost(270, "attempt delay 250 + 20")),
        };

        await lab.WriteHostsAsync(
        [
            ("healthy.lab.test", lab.ServerIPv6), ("healthy.lab.test", lab.ServerIPv4),
            ("v6-blackholed.lab.test", deadIPv6), ("v6-blackholed.lab.test", lab.ServerIPv4),
            ("v6-refused.lab.test", lab.ServerIPv6), ("v6-refused.lab.test", lab.ServerIPv4),
            ("v4-blackholed.lab.test", lab.ServerIPv6), ("v4-blackholed.lab.test", deadIPv4),
            .. fiveDeadIPv6.Select(a => ("five-dead.lab.test", a)), ("five-dead.lab.test", lab.ServerIPv4),
        ]);

        WarnAboutStrayThreads(lab);
        var results = new List<ScenarioResult>();
        foreach (var scenario in scenarios.Where(s => only is null || only.Contains(s.Key)))
        {
            scenario.Setup();
            Log($"scenario {scenario.Key}: {scenario.Host} port {scenario.Port}, {runs} runs{(scenario.History ? ", second connect of each pair" : "")}");
            var report = await MeasureAsync(lab, dotnet, dll, scenario, cancellationToken);
            results.Add(new ScenarioResult(scenario, report));
        }

        WarnAboutStrayThreads(lab);
        string table = ResultTable.Format(results, HealthyKey);
        Console.WriteLine();
        Console.WriteLine(table);
        if (markdownPath is not null)
        {
            await File.WriteAllTextAsync(markdownPath, Header(lab) + table, cancellationToken);
            Log($"wrote {markdownPath}");
        }

        return 0;
    }

    private static Action NoDnsDelay(LoopbackDnsServer dns) => () => (dns.AaaaDelay, dns.ADelay) = (TimeSpan.Zero, TimeSpan.Zero);

    private async Task<MeasureReport> MeasureAsync(NetworkLab lab, string dotnet, string dll, Scenario scenario, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "netns", "exec", lab.Client.Name, dotnet, dll, "measure",
            "--host", scenario.Host, "--port", scenario.Port.ToString(CultureInfo.InvariantCulture),
            "--runs", runs.ToString(CultureInfo.InvariantCulture),
            "--cap-ms", cap.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
            "--netns-id", lab.Client.Id,
            .. scenario.History ? ["--history"] : Array.Empty<string>(),
        ];

        // Each sample is at most one cap (two in history mode), plus the warm-ups and the runtime's start.
        var limit = cap * (runs + 1) * 2 * (scenario.History ? 2 : 1) + TimeSpan.FromMinutes(1);
        var result = await ChildProcess.RunAsync("ip", arguments, limit, cancellationToken);
        foreach (string line in result.StdErrLines)
        {
            Log($"  {line}");
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"the measuring child for {scenario.Key} failed: {result}");
        }

        string json = result.StdOutLines.LastOrDefault(l => l.StartsWith('{')) ?? throw new InvalidOperationException($"the measuring child for {scenario.Key} printed no JSON: {result}");
        return JsonSerializer.Deserialize<MeasureReport>(json, MeasureCommand.JsonOptions) ?? throw new InvalidOperationException($"the measuring child for {scenario.Key} printed null");
    }

    private string Header(NetworkLab lab) => string.Create(
        CultureInfo.InvariantCulture,
        $"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} CPUs, {RuntimeInformation.OSDescription}, kernel {Environment.OSVersion.Version}, .NET {Environment.Version}; {runs} runs per client and scenario, each connect capped at {cap.TotalSeconds:0} s; lab {lab.ClientIPv6}/{lab.ClientIPv4} → {lab.ServerIPv6}/{lab.ServerIPv4}.\n\n");

    // The dotnet host that runs this program: "dotnet run" may start it through its apphost, so go from the runtime's
    // directory (DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/) up to DOTNET_ROOT/dotnet.
    private static string FindDotnet()
    {
        if (Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            return path;
        }

        string runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        string root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        string dotnet = Path.Combine(root, "dotnet");
        return File.Exists(dotnet) ? dotnet : throw new InvalidOperationException($"cannot find the dotnet host next to the runtime in {runtime}");
    }

    private static void WarnAboutStrayThreads(NetworkLab lab)
    {
        foreach (var ns in new[] { lab.Client, lab.Server })
        {
            if (ns.FindStrayThreads() is { Count: > 0 } stray)
            {
                TestContext.Current.AddWarning($"threads of this process inside {ns.Name}: {string.Join(", ", stray)}");
            }
        }
    }

    private static void Log(string message) => Console.Error.WriteLine(message);
}
