using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.Scenarios;

// What the scenario benchmark and the cold-start benchmark both measure against: one NetworkLab (client and server
// namespaces joined by a veth pair, on 2001:2::/48 and 198.18.0.0/15), the servers and a DNS server in the server
// namespace, the client namespace's hosts file and resolv.conf, and the scenarios that name them. Every socket this
// process makes for it is created on the server namespace's thread; the clients are children started with
// "ip netns exec CLIENT …", which is the only way for them to see the namespace's hosts and resolv.conf through
// getaddrinfo.

/// <summary>The lab, its servers and DNS server, and the scenarios set up in it. Dispose to remove all of it.</summary>
internal sealed class ScenarioLab : IAsyncDisposable
{
    public const string HealthyKey = "healthy";
    public const string LiteralIPv6Key = "literal-v6";
    public const string LiteralIPv4Key = "literal-v4";
    private const string LateAaaaName = "aaaa-late.lab.test";
    private const string LateAName = "a-late.lab.test";
    private static readonly TimeSpan s_lateAnswer = TimeSpan.FromSeconds(1);

    private AcceptingServer? _both;
    private AcceptingServer? _ipv4Only;
    private LoopbackDnsServer? _dns;

    private ScenarioLab(NetworkLab lab) => Lab = lab;

    /// <summary>The network namespaces and their addresses.</summary>
    public NetworkLab Lab { get; }

    /// <summary>Every scenario by name, in the order the scenario benchmark reports them.</summary>
    public IReadOnlyList<Scenario> Scenarios { get; private set; } = [];

    /// <summary>
    /// The server's IPv6 and IPv4 literals with the dual-stack listener's port: connects that resolve nothing.
    /// No DNS delay applies; the targets are the scenario benchmark's "none".
    /// </summary>
    public IReadOnlyList<Scenario> Literals { get; private set; } = [];

    /// <summary>Builds the lab and everything in it; on any failure removes what was built and throws.</summary>
    /// <exception cref="InvalidOperationException">A lab step failed.</exception>
    public static async Task<ScenarioLab> CreateAsync(CancellationToken cancellationToken)
    {
        var lab = await NetworkLab.CreateAsync(cancellationToken);
        var scenarioLab = new ScenarioLab(lab);
        try
        {
            await scenarioLab.BuildAsync(cancellationToken);
            return scenarioLab;
        }
        catch
        {
            await scenarioLab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the DNS server and the servers, then deletes the namespaces and <c>/etc/netns/CLIENT</c>.</summary>
    public async ValueTask DisposeAsync()
    {
        // Each one is released even if another one's disposal throws; the lab (the namespaces) goes last and always.
        try
        {
            if (_dns is not null)
            {
                await _dns.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                if (_ipv4Only is not null)
                {
                    await _ipv4Only.DisposeAsync();
                }

                if (_both is not null)
                {
                    await _both.DisposeAsync();
                }
            }
            finally
            {
                await Lab.DisposeAsync();
            }
        }
    }

    /// <summary>Warns (on standard error) about threads of this process left inside a lab namespace.</summary>
    public void WarnAboutStrayThreads()
    {
        foreach (var ns in new[] { Lab.Client, Lab.Server })
        {
            if (ns.FindStrayThreads() is { Count: > 0 } stray)
            {
                TestContext.Current.AddWarning($"threads of this process inside {ns.Name}: {string.Join(", ", stray)}");
            }
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var lab = Lab;
        Log($"lab {lab.Number}: client {lab.Client.Name} ({lab.ClientIPv6}, {lab.ClientIPv4}), server {lab.Server.Name} ({lab.ServerIPv6}, {lab.ServerIPv4})");

        var deadIPv6 = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        var deadIPv4 = lab.AddBlackholedAddress(AddressFamily.InterNetwork);
        var fiveDeadIPv6 = Enumerable.Range(0, 5).Select(_ => lab.AddBlackholedAddress(AddressFamily.InterNetworkV6)).ToArray();

        // One dual-stack listener for every scenario where the server answers on both families, and one IPv4-only
        // listener whose port has nothing behind it on IPv6 (the server namespace answers a SYN there with a reset).
        var both = _both = await AcceptingServer.StartAsync(lab.Server, TcpServerEndpoint.AllInterfaces(0), cancellationToken);
        var ipv4Only = _ipv4Only = await AcceptingServer.StartAsync(lab.Server, new TcpServerEndpoint(lab.ServerIPv4, 0), cancellationToken);
        Log($"servers: {string.Join(", ", both.LocalEndPoints.Select(IPLiteral.FormatEndPoint))} (both families) and {string.Join(", ", ipv4Only.LocalEndPoints.Select(IPLiteral.FormatEndPoint))} (IPv4 only)");

        // The DNS server: port 53, since resolv.conf names no port; sockets made on the server namespace's thread.
        var dns = _dns = new LoopbackDnsServer(new IPEndPoint(lab.ServerIPv4, 53), lab.Server.CreateSocket);
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

        Action noDnsDelay = () => (dns.AaaaDelay, dns.ADelay) = (TimeSpan.Zero, TimeSpan.Zero);
        Scenarios =
        [
            new(HealthyKey, "healthy", "healthy.lab.test", both.Port, false, noDnsDelay, Target.TimesPlain(1.05)),
            new("v6-blackholed", "IPv6 blackholed", "v6-blackholed.lab.test", both.Port, false, noDnsDelay, Target.AtMost(270, "attempt delay 250 + 20; veth RTT < 1 ms")),
            new("history", "IPv6 blackholed, 2nd connect with history", "v6-blackholed.lab.test", both.Port, true, noDnsDelay, Target.HealthyPlus(20)),
            new("v6-refused", "IPv6 refused", "v6-refused.lab.test", ipv4Only.Port, false, noDnsDelay, Target.HealthyPlus(20)),
            new("aaaa-late", "AAAA 1 s late (DNS)", LateAaaaName, both.Port, false, () => (dns.AaaaDelay, dns.ADelay) = (s_lateAnswer, TimeSpan.Zero), Target.AtMost(70, "resolution delay 50 + 20")),
            new("a-late", "A 1 s late (DNS)", LateAName, both.Port, false, () => (dns.AaaaDelay, dns.ADelay) = (TimeSpan.Zero, s_lateAnswer), Target.None),
            new("v4-blackholed", "IPv4 blackholed", "v4-blackholed.lab.test", both.Port, false, noDnsDelay, Target.None),
            new("five-dead", "five dead IPv6 + one IPv4", "five-dead.lab.test", both.Port, false, noDnsDelay, Target.AtMost(270, "attempt delay 250 + 20")),
        ];
        Literals =
        [
            new(LiteralIPv6Key, "server IPv6 literal", lab.ServerIPv6.ToString(), both.Port, false, noDnsDelay, Target.None),
            new(LiteralIPv4Key, "server IPv4 literal", lab.ServerIPv4.ToString(), both.Port, false, noDnsDelay, Target.None),
        ];

        await lab.WriteHostsAsync(
        [
            ("healthy.lab.test", lab.ServerIPv6), ("healthy.lab.test", lab.ServerIPv4),
            ("v6-blackholed.lab.test", deadIPv6), ("v6-blackholed.lab.test", lab.ServerIPv4),
            ("v6-refused.lab.test", lab.ServerIPv6), ("v6-refused.lab.test", lab.ServerIPv4),
            ("v4-blackholed.lab.test", lab.ServerIPv6), ("v4-blackholed.lab.test", deadIPv4),
            .. fiveDeadIPv6.Select(a => ("five-dead.lab.test", a)), ("five-dead.lab.test", lab.ServerIPv4),
        ]);
    }

    private static void Log(string message) => Console.Error.WriteLine(message);
}
