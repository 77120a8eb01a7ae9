using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>
/// The NAT64 lab itself, proven with real sockets and the system resolver: an IPv6-only client reaches an IPv4-only
/// server only through tayga, under the well-known prefix (mapped by nftables) and a network-specific one; its DNS
/// server answers the client's resolver; the dual-stack variant also reaches the server directly; nothing is left behind.
/// </summary>
public sealed class Nat64LabTopologyTests
{
    [Theory]
    [InlineData(Nat64Lab.WellKnownPrefix, "64:ff9b::c633:6407")]
    [InlineData("2001:db8:64::/48", "2001:db8:64:c633:64:700::")]
    public async Task IPv6OnlyClient_ConnectsToSynthesizedAddress_ServerSeesPoolAddress(string prefix, string synthesized)
    {
        LabSupport.SkipUnlessNat64Available();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await Nat64Lab.CreateAsync(prefix, cancellationToken: ct).Bounded();
        Assert.Equal(IPAddress.Parse(synthesized), lab.Synthesize(lab.ServerIPv4));
        Assert.Equal(prefix == Nat64Lab.WellKnownPrefix ? Nat64Lab.WellKnownSubstitute : prefix, lab.TranslatorPrefix);

        var (client, accepted) = await ConnectAsync(lab, lab.Synthesize(lab.ServerIPv4), AddressFamily.InterNetworkV6);
        using (client)
        using (accepted)
        {
            Assert.Equal(lab.ClientIPv6, ((IPEndPoint)client.LocalEndPoint!).Address);
            var peer = ((IPEndPoint)accepted.RemoteEndPoint!).Address;
            Assert.True(lab.DynamicPool.Contains(peer), $"the server saw {peer}, not an address of tayga's pool {lab.DynamicPool}");
            await ExchangeAsync(client, accepted);
        }
    }

    [Fact]
    public async Task IPv6OnlyClient_HasNoIPv4Route_ServerHasNoIPv6()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        Assert.Null(lab.ClientIPv4);

        // A UDP connect only looks up a route: it fails at once when there is none.
        using var udp = lab.Client.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var error = Assert.Throws<SocketException>(() => udp.Connect(new IPEndPoint(lab.ServerIPv4, 9)));
        Assert.Equal(SocketError.NetworkUnreachable, error.SocketErrorCode);

        var clientIPv4 = await lab.ExecAsync(lab.Client, "ip", "-4", "-o", "address").Bounded();
        Assert.Equal("lo 127.0.0.1/8", Assert.Single(AddressLines(clientIPv4)));
        var serverIPv6 = await lab.ExecAsync(lab.Server, "ip", "-6", "-o", "address").Bounded();
        Assert.Equal("lo ::1/128", Assert.Single(AddressLines(serverIPv6)));
    }

    [Fact]
    public async Task DnsInTranslator_AnswersClientSystemResolver()
    {
        LabSupport.SkipUnlessNat64Available();
        const string Name = "server.nat64.test";
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        await using var dns = await lab.StartDnsAsync().Bounded();
        dns.Add(Name, lab.Synthesize(lab.ServerIPv4));
        dns.Add("ipv4only.arpa", lab.Synthesize(IPAddress.Parse("192.0.0.170")));

        var result = await lab.ExecAsync(lab.Client, "getent", "ahostsv6", Name).Bounded();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(result.StdOutLines, line => Assert.StartsWith("64:ff9b::c633:6407 ", line, StringComparison.Ordinal));
        Assert.True(dns.QueryCount(Name, LoopbackDnsServer.TypeAaaa, ProtocolType.Udp) >= 1, "the AAAA query did not reach the lab's DNS server");

        var wellKnown = await lab.ExecAsync(lab.Client, "getent", "ahostsv6", "ipv4only.arpa").Bounded();
        Assert.True(wellKnown.ExitCode == 0, wellKnown.ToString());
        Assert.StartsWith("64:ff9b::c000:aa ", wellKnown.StdOutLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DualStackClient_ReachesServerDirectlyOverIPv4_AndThroughNat64()
    {
        LabSupport.SkipUnlessNat64Available();
        await using var lab = await Nat64Lab.CreateAsync(clientHasIPv4: true, cancellationToken: TestContext.Current.CancellationToken).Bounded();
        Assert.NotNull(lab.ClientIPv4);

        var (client, accepted) = await ConnectAsync(lab, lab.ServerIPv4, AddressFamily.InterNetwork);
        using (client)
        using (accepted)
        {
            Assert.Equal(lab.ClientIPv4, ((IPEndPoint)client.LocalEndPoint!).Address);
            Assert.Equal(lab.ClientIPv4, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
            await ExchangeAsync(client, accepted);
        }

        (client, accepted) = await ConnectAsync(lab, lab.Synthesize(lab.ServerIPv4), AddressFamily.InterNetworkV6);
        using (client)
        using (accepted)
        {
            Assert.True(lab.DynamicPool.Contains(((IPEndPoint)accepted.RemoteEndPoint!).Address));
        }
    }

    [Fact]
    public async Task Dispose_LeavesNoNamespaceTaygaTunOrNetnsDirectory()
    {
        LabSupport.SkipUnlessNat64Available();
        var lab = await Nat64Lab.CreateAsync(cancellationToken: TestContext.Current.CancellationToken).Bounded();
        string[] names;
        int tayga;
        string tun;
        try
        {
            await lab.StartDnsAsync().Bounded();
            names = [lab.Client.Name, lab.Translator.Name, lab.Server.Name];
            tayga = lab.TaygaProcessId;
            tun = lab.TunInterface;
            Assert.Equal("tayga", ProcessName(tayga));
            Assert.True(Directory.Exists(Path.Combine("/etc/netns", lab.Client.Name)));
        }
        finally
        {
            await lab.DisposeAsync().Bounded();
        }

        var list = await ChildProcess.RunAsync("ip", ["netns", "list"], TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken).Bounded();
        Assert.Empty(list.StdOutLines.Select(line => line.Split(' ', 2)[0]).Intersect(names));
        Assert.All(names, name => Assert.False(Directory.Exists(Path.Combine("/etc/netns", name)), $"/etc/netns/{name} is left"));
        Assert.Null(ProcessName(tayga));
        // The TUN device went with the translator's namespace, and did not fall back into the root namespace.
        var link = await ChildProcess.RunAsync("ip", ["link", "show", "dev", tun], TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken).Bounded();
        Assert.NotEqual(0, link.ExitCode);
        await lab.DisposeAsync().Bounded();
    }

    [Fact]
    public async Task NetworkLabCreatedBeside_DoesNotSweepNat64LabAway()
    {
        LabSupport.SkipUnlessNat64Available();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await Nat64Lab.CreateAsync(cancellationToken: ct).Bounded();
        await using (var other = await NetworkLab.CreateAsync(ct).Bounded())
        {
            Assert.True(other.Number > lab.Number, $"NetworkLab {other.Number} was created after NAT64 lab {lab.Number}");
        }

        var (client, accepted) = await ConnectAsync(lab, lab.Synthesize(lab.ServerIPv4), AddressFamily.InterNetworkV6);
        client.Dispose();
        accepted.Dispose();
    }

    [Fact]
    public void Synthesize_EmbedsAsRfc6052SaysForEveryLength()
    {
        // RFC 6052 section 2.4, the table of examples for 192.0.2.33.
        var ipv4 = IPAddress.Parse("192.0.2.33");
        Assert.Equal(IPAddress.Parse("2001:db8:c000:221::"), Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8::/32"), ipv4));
        Assert.Equal(IPAddress.Parse("2001:db8:1c0:2:21::"), Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8:100::/40"), ipv4));
        Assert.Equal(IPAddress.Parse("2001:db8:122:c000:2:2100::"), Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8:122::/48"), ipv4));
        Assert.Equal(IPAddress.Parse("2001:db8:122:3c0:0:221::"), Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8:122:300::/56"), ipv4));
        Assert.Equal(IPAddress.Parse("2001:db8:122:344:c0:2:2100:0"), Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8:122:344::/64"), ipv4));
        Assert.Equal(IPAddress.Parse("2001:db8:122:344::192.0.2.33"), Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8:122:344::/96"), ipv4));
        Assert.Equal(IPAddress.Parse("64:ff9b::192.0.2.33"), Nat64Lab.Synthesize(IPNetwork.Parse(Nat64Lab.WellKnownPrefix), ipv4));
        Assert.Throws<ArgumentException>(() => Nat64Lab.Synthesize(IPNetwork.Parse("2001:db8::/80"), ipv4));
        Assert.Throws<ArgumentException>(() => Nat64Lab.Synthesize(IPNetwork.Parse(Nat64Lab.WellKnownPrefix), IPAddress.IPv6Loopback));
    }

    // A TCP connection from the client namespace to a fresh listener on the server's IPv4 address, through destination.
    private static async Task<(Socket Client, Socket Accepted)> ConnectAsync(Nat64Lab lab, IPAddress destination, AddressFamily family)
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = lab.Server.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(lab.ServerIPv4, 0));
            socket.Listen(1);
            return socket;
        });
        var client = lab.Client.CreateSocket(family, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await client.ConnectAsync(new IPEndPoint(destination, ((IPEndPoint)listener.LocalEndPoint!).Port), ct).AsTask().WaitAsync(TimeSpan.FromSeconds(3), ct);
            return (client, await listener.AcceptAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(3), ct));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task ExchangeAsync(Socket client, Socket accepted)
    {
        var ct = TestContext.Current.CancellationToken;
        var buffer = new byte[4];
        await client.SendAsync("ping"u8.ToArray(), ct).Bounded();
        Assert.Equal(4, await accepted.ReceiveAsync(buffer, ct).Bounded());
        Assert.Equal("ping"u8.ToArray(), buffer);
        await accepted.SendAsync("pong"u8.ToArray(), ct).Bounded();
        Assert.Equal(4, await client.ReceiveAsync(buffer, ct).Bounded());
        Assert.Equal("pong"u8.ToArray(), buffer);
    }

    // "1: lo    inet 127.0.0.1/8 scope host lo ..." -> "lo 127.0.0.1/8".
    private static List<string> AddressLines(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOutLines
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Select(words => $"{words[1]} {words[3]}")
            .ToList();
    }

    private static string? ProcessName(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.ProcessName;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
