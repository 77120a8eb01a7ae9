using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.FunctionalTests;

/// <summary>
/// NAT64 synthesis with real sockets on loopback, standing in for an IPv6-only host (no IPv4 route, by the route check)
/// whose network's prefix is <c>::/96</c>: the discovery's answer is <c>::192.0.0.170</c>, and the IPv4 address
/// <c>0.0.0.1</c> is then reached at <c>::1</c>. A TCP connect lands on an IPv6 listener; UDP sends, connected or not,
/// reach an IPv6 echo and its replies are reported as coming from <c>0.0.0.1</c>, the address the application used.
/// </summary>
/// <remarks>
/// The UDP sockets are IPv6-only (bound to <c>::1</c>): a dual-mode socket tries IPv4 first and goes through NAT64
/// only when the kernel reports no route, which this machine's root namespace never does (the lab tests cover that).
/// </remarks>
public sealed class Nat64LoopbackTests
{
    private static readonly IPAddress s_ipv4 = IPAddress.Parse("0.0.0.1");

    // Answers every AAAA query (ipv4only.arpa's) with 192.0.0.170 under ::/96.
    private static FakeResolver Network() => new(IPAddress.Parse("::c000:aa"));

    [Fact]
    public async Task Tcp_IPv4LiteralWithoutRoute_ConnectsToTheSynthesizedIPv6Address()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var ct = TestContext.Current.CancellationToken;
        using var listener = ListenOnIPv6Loopback();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var endpoint = new HostnameEndpoint(s_ipv4.ToString(), port) { Resolver = Network(), HasIPv4Route = _ => false };

        await using var connection = await endpoint.ConnectAsync(ct).Bounded();
        using var accepted = await listener.AcceptAsync(ct).Bounded();

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, port), connection.RemoteEndPoint);
        var attempt = Assert.Single(connection.Attempts);
        Assert.Equal(s_ipv4, attempt.SynthesizedFrom);
        Assert.Equal(IPAddress.IPv6Loopback, attempt.RemoteEndPoint.Address);
    }

    [Fact]
    public async Task Tcp_TcpClientEndpointToIPv4WithoutRoute_ConnectsToTheSynthesizedIPv6Address()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var ct = TestContext.Current.CancellationToken;
        using var listener = ListenOnIPv6Loopback();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        await using var connection = await new TcpClientEndpoint(s_ipv4, port) { Resolver = Network(), HasIPv4Route = _ => false }.ConnectAsync(ct).Bounded();
        using var accepted = await listener.AcceptAsync(ct).Bounded();
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, port), connection.RemoteEndPoint);

        var noPrefix = new TcpClientEndpoint(IPAddress.Parse("198.51.100.7"), 9) { Resolver = new FakeResolver() { FailWith = ResolutionError.NoData }, HasIPv4Route = _ => false };
        var error = await Assert.ThrowsAsync<ConnectException>(() => noPrefix.ConnectAsync(ct).AsTask());
        Assert.Equal(SocketError.NetworkUnreachable, Assert.IsType<SocketException>(error.InnerException, exactMatch: false).SocketErrorCode);
        Assert.Contains("no IPv4 route to 198.51.100.7", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Udp_IPv4WithoutRoute_GoesToTheSynthesizedAddress_ReplyComesFromTheIPv4Address(bool connect)
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var ct = TestContext.Current.CancellationToken;
        using var echo = new UdpEndpoint(IPAddress.IPv6Loopback, 0).Bind();
        using var client = new UdpEndpoint(IPAddress.IPv6Loopback, 0).Bind();
        client.HasIPv4Route = _ => false;
        client.Nat64Resolver = Network();
        var remote = new IPEndPoint(s_ipv4, echo.LocalEndPoint.Port);
        var buffer = new byte[16];

        for (int i = 0; i < 2; i++)
        {
            if (connect)
            {
                client.Connect(remote);
                Assert.Equal(remote, client.RemoteEndPoint);
                await client.SendAsync("ping"u8.ToArray(), ct).Bounded();
            }
            else
            {
                await client.SendToAsync("ping"u8.ToArray(), remote, ct).Bounded();
            }

            var heard = await echo.ReceiveAsync(buffer, ct).Bounded();
            Assert.Equal(IPAddress.IPv6Loopback, heard.RemoteEndPoint.Address);
            await echo.SendToAsync(buffer.AsMemory(0, heard.Length), heard.RemoteEndPoint, ct).Bounded();

            var reply = await client.ReceiveAsync(buffer, ct).Bounded();
            Assert.Equal(remote, reply.RemoteEndPoint);
            var message = await SendAndReceiveMessageAsync(client, echo, remote, connect, buffer);
            Assert.Equal(remote, message.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task Udp_IPv4WithoutRouteNorPrefix_FailsSayingWhy()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var client = new UdpEndpoint(IPAddress.IPv6Loopback, 0).Bind();
        client.HasIPv4Route = _ => false;
        client.Nat64Resolver = new FakeResolver() { FailWith = ResolutionError.NoData };
        var remote = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 9);

        var error = await Assert.ThrowsAsync<UdpException>(() => client.SendToAsync("ping"u8.ToArray(), remote, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(SocketError.NetworkUnreachable, error.SocketError);
        Assert.Contains("no IPv4 route to 198.51.100.7", error.Message, StringComparison.Ordinal);
        Assert.Contains(Nat64.DiscoveryName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Udp_SynthesisOff_IPv4FromAnIPv6OnlySocketIsRefused()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var client = new UdpEndpoint(IPAddress.IPv6Loopback, 0) { SynthesizeNat64 = false }.Bind();
        client.HasIPv4Route = _ => false;
        client.Nat64Resolver = Network();

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendToAsync("ping"u8.ToArray(), new IPEndPoint(s_ipv4, 9), TestContext.Current.CancellationToken).AsTask());
    }

    private static Socket ListenOnIPv6Loopback()
    {
        var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    private static async Task<ReceivedDatagram> SendAndReceiveMessageAsync(UdpSocket client, UdpSocket echo, IPEndPoint remote, bool connected, byte[] buffer)
    {
        var ct = TestContext.Current.CancellationToken;
        await (connected ? client.SendAsync("again"u8.ToArray(), ct) : client.SendToAsync("again"u8.ToArray(), remote, ct)).Bounded();
        var heard = await echo.ReceiveAsync(buffer, ct).Bounded();
        await echo.SendToAsync(buffer.AsMemory(0, heard.Length), heard.RemoteEndPoint, ct).Bounded();
        return await client.ReceiveMessageAsync(buffer, ct).Bounded();
    }
}
