using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>
/// <c>dualstack</c> run the way a user runs it, in the NAT64 lab's IPv6-only client namespace with the system resolver
/// pointed at the lab's DNS server: an IPv4 literal, a name with only an A record (no DNS64) and a DNS64 name reach the
/// IPv4-only server through tayga; a dual-stack client connects over IPv4 without asking for a prefix; an IPv6-only
/// client without DNS64 gets an error naming the missing route and the failed discovery; UDP replies come from the
/// IPv4 address the user sent to.
/// </summary>
/// <remarks>Each test writes the command's elapsed time to its output (docs/ipv6-only.md lists them).</remarks>
public sealed class Nat64ConnectLabTests
{
    private const string AOnlyName = "aonly.nat64.test";
    private const string Dns64Name = "dns64.nat64.test";

    [Fact]
    public async Task IPv4Literal_FromIPv6OnlyClient_ConnectsThroughSynthesizedAddress()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: true);
        await using var listener = await ListenAsync(lab);
        var accepting = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();

        var json = await ConnectAsync(lab, lab.ServerIPv4.ToString(), Port(listener));

        Assert.True((bool)json["connected"]!, json.ToJsonString());
        var attempt = Assert.Single(json["attempts"]!.AsArray())!;
        Assert.Equal($"[{lab.Synthesize(lab.ServerIPv4)}]:{Port(listener)}", (string?)attempt["remote"]);
        Assert.Equal(lab.ServerIPv4.ToString(), (string?)attempt["synthesized_from"]);
        await using var accepted = await accepting.Bounded();
        var peer = (IPEndPoint)accepted!.RemoteEndPoint!;
        Assert.True(lab.DynamicPool.Contains(peer.Address), $"the server saw {peer}");
        Assert.Equal(1, dns.QueryCount(Nat64.DiscoveryName, LoopbackDnsServer.TypeAaaa, ProtocolType.Udp));
    }

    [Fact]
    public async Task AOnlyName_WithoutDns64_ConnectsThroughSynthesizedAddress()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: true);
        dns.Add(AOnlyName, lab.ServerIPv4);
        await using var listener = await ListenAsync(lab);

        var json = await ConnectAsync(lab, AOnlyName, Port(listener));

        Assert.True((bool)json["connected"]!, json.ToJsonString());
        var attempt = Assert.Single(json["attempts"]!.AsArray())!;
        Assert.Equal("ipv6", (string?)attempt["family"]);
        Assert.Equal(lab.ServerIPv4.ToString(), (string?)attempt["synthesized_from"]);
    }

    [Fact]
    public async Task Dns64Name_ConnectsWithoutAnyIPv4Attempt()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: true);
        // What a DNS64 server answers: the A record as it is, and an AAAA record synthesised from it.
        dns.Add(Dns64Name, lab.ServerIPv4);
        dns.Add(Dns64Name, lab.Synthesize(lab.ServerIPv4));
        await using var listener = await ListenAsync(lab);

        var json = await ConnectAsync(lab, Dns64Name, Port(listener));

        Assert.True((bool)json["connected"]!, json.ToJsonString());
        var attempts = json["attempts"]!.AsArray();
        Assert.All(attempts, a => Assert.Equal("ipv6", (string?)a!["family"]));
        // The AAAA answer's address and the same address synthesised from the A answer make one attempt.
        Assert.Equal($"[{lab.Synthesize(lab.ServerIPv4)}]:{Port(listener)}", (string?)Assert.Single(attempts)!["remote"]);
    }

    [Fact]
    public async Task DualStackClient_ConnectsOverIPv4_AsksForNoPrefix()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(clientHasIPv4: true, cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: true);
        dns.Add(AOnlyName, lab.ServerIPv4);
        await using var listener = await ListenAsync(lab);

        foreach (string host in new[] { lab.ServerIPv4.ToString(), AOnlyName })
        {
            var json = await ConnectAsync(lab, host, Port(listener));

            Assert.True((bool)json["connected"]!, json.ToJsonString());
            var attempt = Assert.Single(json["attempts"]!.AsArray())!;
            Assert.Equal($"{lab.ServerIPv4}:{Port(listener)}", (string?)attempt["remote"]);
            Assert.Null(attempt["synthesized_from"]);
        }

        Assert.Equal(0, dns.QueryCount(Nat64.DiscoveryName, LoopbackDnsServer.TypeAaaa, ProtocolType.Udp));
    }

    [Fact]
    public async Task IPv6OnlyClientWithoutNat64_FailsAtOnce_NamingTheMissingRouteAndTheFailedDiscovery()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: false);

        var result = await RunAsync(lab, "connect", lab.ServerIPv4.ToString(), "80");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"this host has no IPv4 route to {lab.ServerIPv4}, and no NAT64 prefix to reach it through IPv6", result.StdErr, StringComparison.Ordinal);
        Assert.Contains($"cannot resolve '{Nat64.DiscoveryName}'", result.StdErr, StringComparison.Ordinal);
        Assert.True(dns.QueryCount(Nat64.DiscoveryName, LoopbackDnsServer.TypeAaaa, ProtocolType.Udp) >= 1, "the prefix discovery did not reach the lab's DNS server");
    }

    [Fact]
    public async Task Resolve_ShowsSynthesizedAddressAndTheIPv4ItStandsFor()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: true);
        dns.Add(AOnlyName, lab.ServerIPv4);

        var result = await RunAsync(lab, "resolve", AOnlyName, "80", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var only = Assert.Single(JsonNode.Parse(result.StdOutLines[^1])!["results"]!.AsArray())!;
        Assert.Equal(lab.Synthesize(lab.ServerIPv4).ToString(), (string?)only["address"]);
        Assert.Equal(lab.ServerIPv4.ToString(), (string?)only["synthesized_from"]);

        var plain = await RunAsync(lab, "resolve", AOnlyName, "80", "--no-nat64", "--json");
        Assert.Equal(lab.ServerIPv4.ToString(), (string?)Assert.Single(JsonNode.Parse(plain.StdOutLines[^1])!["results"]!.AsArray())!["address"]);
    }

    [Fact]
    public async Task UdpSend_ToIPv4Literal_GoesThroughNat64_ReplyComesFromTheIPv4Address()
    {
        LabSupport.SkipUnlessNat64Available();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: ct).Bounded();
        await using var dns = await StartDnsAsync(lab, withNat64: true);
        using var server = lab.Server.Run(() => new UdpEndpoint(lab.ServerIPv4, 0).Bind());
        var echo = EchoOnceAsync(server, ct);

        foreach (string[] mode in new[] { Array.Empty<string>(), ["--connect"] })
        {
            var result = await RunAsync(lab, ["udp", "send", lab.ServerIPv4.ToString(), server.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture), "hello", "--json", .. mode]);

            Assert.True(result.ExitCode == 0, result.ToString());
            var reply = JsonNode.Parse(result.StdOutLines[^1])!;
            Assert.Equal($"{lab.ServerIPv4}:{server.LocalEndPoint.Port}", (string?)reply["from"]);
            Assert.Equal("hello", (string?)reply["data"]);
            var sender = await echo.Bounded();
            Assert.True(lab.DynamicPool.Contains(sender.Address), $"the server heard {sender}");
            echo = EchoOnceAsync(server, ct);
        }
    }

    private static async Task<IPEndPoint> EchoOnceAsync(UdpSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        var datagram = await socket.ReceiveAsync(buffer, cancellationToken);
        await socket.SendToAsync(buffer.AsMemory(0, datagram.Length), datagram.RemoteEndPoint, cancellationToken);
        return datagram.RemoteEndPoint;
    }

    // The lab's DNS server, with ipv4only.arpa's AAAA records under the lab's prefix (DNS64) or without them.
    private static async Task<LoopbackDnsServer> StartDnsAsync(Nat64Lab lab, bool withNat64)
    {
        var dns = await lab.StartDnsAsync().Bounded();
        if (withNat64)
        {
            dns.Add(Nat64.DiscoveryName, lab.Synthesize(IPAddress.Parse("192.0.0.170")));
            dns.Add(Nat64.DiscoveryName, lab.Synthesize(IPAddress.Parse("192.0.0.171")));
        }

        return dns;
    }

    private static async Task<IStreamListener> ListenAsync(Nat64Lab lab) =>
        await lab.Server.Run(() => new TcpServerEndpoint(lab.ServerIPv4, 0).ListenAsync(TestContext.Current.CancellationToken).AsTask()).Bounded();

    private static int Port(IStreamListener listener) => listener.LocalEndPoints[0].Port;

    // dualstack connect --json in the client namespace.
    private static async Task<JsonNode> ConnectAsync(Nat64Lab lab, string host, int port)
    {
        var result = await RunAsync(lab, "connect", host, port.ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.StdOutLines[^1])!;
    }

    private static async Task<ProcessResult> RunAsync(Nat64Lab lab, params string[] arguments)
    {
        long start = TimeProvider.System.GetTimestamp();
        var result = await lab.ExecAsync(lab.Client, CliRunner.CommandLine(arguments)).Bounded();
        var log = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$ dualstack {string.Join(' ', arguments)}   # {TimeProvider.System.GetElapsedTime(start).TotalMilliseconds:0} ms, exit {result.ExitCode}")
            .AppendLine().Append(result.StdOut).Append(result.StdErr);
        TestContext.Current.TestOutputHelper?.WriteLine(log.ToString());
        return result;
    }
}
