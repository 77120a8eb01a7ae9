using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;

namespace DualStack.FunctionalTests.Datagrams;

public class UdpSocketTests
{
    public static TheoryData<string> LoopbackAddresses => new("127.0.0.1", "::1");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task SendTo_ReceiveFrom_OnLoopback_EchoesAndReportsEachSender(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        IPv6Support.SkipUnlessAvailable(address);
        using var server = new UdpEndpoint(address, 0).Bind();
        using var client = new UdpEndpoint(address, 0).Bind();
        Assert.Equal(address, server.LocalEndPoint.Address);
        Assert.NotEqual(0, server.LocalEndPoint.Port);

        var buffer = new byte[64];
        for (int i = 0; i < 3; i++)
        {
            await client.SendToAsync("ping"u8.ToArray(), server.LocalEndPoint, Token).Bounded();
            var request = await server.ReceiveAsync(buffer, Token).Bounded();
            Assert.Equal(4, request.Length);
            Assert.Equal(client.LocalEndPoint, request.RemoteEndPoint);
            Assert.Null(request.LocalAddress);

            await server.SendToAsync(buffer.AsMemory(0, request.Length), request.RemoteEndPoint, Token).Bounded();
            var reply = await client.ReceiveAsync(buffer, Token).Bounded();
            Assert.Equal(server.LocalEndPoint, reply.RemoteEndPoint);
            Assert.Equal("ping"u8.ToArray(), buffer[..reply.Length]);
        }
    }

    [Fact]
    public async Task Receive_FromTwoPeersInTurn_ReportsEachPeerNotTheCachedOne()
    {
        using var server = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        using var first = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        using var second = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        var buffer = new byte[16];

        foreach (var peer in new[] { first, second, first, first, second })
        {
            await peer.SendToAsync("x"u8.ToArray(), server.LocalEndPoint, Token).Bounded();
            var datagram = await server.ReceiveAsync(buffer, Token).Bounded();
            Assert.Equal(peer.LocalEndPoint, datagram.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task AllInterfaces_IsDualMode_AndReportsIPv4SendersAsIPv4()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var server = UdpEndpoint.AllInterfaces(0).Bind();
        Assert.True(server.IsDualMode);
        int port = server.LocalEndPoint.Port;
        var buffer = new byte[16];

        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            using var client = new UdpEndpoint(address, 0).Bind();
            await client.SendToAsync("hi"u8.ToArray(), new IPEndPoint(address, port), Token).Bounded();
            var datagram = await server.ReceiveMessageAsync(buffer, Token).Bounded();

            Assert.Equal(client.LocalEndPoint, datagram.RemoteEndPoint);
            Assert.Equal(address.AddressFamily, datagram.RemoteEndPoint.AddressFamily);
            Assert.Equal(address, datagram.LocalAddress);
            AssertInterface(address, datagram);

            // The reply goes back to an IPv4 peer from the dual-mode socket.
            await server.SendToAsync(buffer.AsMemory(0, datagram.Length), datagram.RemoteEndPoint, Token).Bounded();
            var reply = await client.ReceiveAsync(buffer, Token).Bounded();
            Assert.Equal(new IPEndPoint(address, port), reply.RemoteEndPoint);
        }
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task ReceiveMessage_OnOneFamilySocket_ReportsLocalAddressAndInterface(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        IPv6Support.SkipUnlessAvailable(address);
        using var server = new UdpEndpoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Bind();
        using var client = new UdpEndpoint(address, 0).Bind();
        await client.SendToAsync("hi"u8.ToArray(), new IPEndPoint(address, server.LocalEndPoint.Port), Token).Bounded();
        var datagram = await server.ReceiveMessageAsync(new byte[16], Token).Bounded();

        Assert.Equal(client.LocalEndPoint, datagram.RemoteEndPoint);
        Assert.Equal(address, datagram.LocalAddress);
        AssertInterface(address, datagram);
    }

    [Fact]
    public async Task Connected_ReceivesOnlyFromItsPeer()
    {
        using var socket = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        using var peer = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        using var stranger = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        socket.Connect(peer.LocalEndPoint);
        Assert.Equal(peer.LocalEndPoint, socket.RemoteEndPoint);

        await stranger.SendToAsync("stranger"u8.ToArray(), socket.LocalEndPoint, Token).Bounded();
        await peer.SendToAsync("peer"u8.ToArray(), socket.LocalEndPoint, Token).Bounded();
        var buffer = new byte[16];
        var datagram = await socket.ReceiveAsync(buffer, Token).Bounded();

        Assert.Equal(peer.LocalEndPoint, datagram.RemoteEndPoint);
        Assert.Equal("peer"u8.ToArray(), buffer[..datagram.Length]);

        await socket.SendAsync("back"u8.ToArray(), Token).Bounded();
        var reply = await peer.ReceiveAsync(buffer, Token).Bounded();
        Assert.Equal(socket.LocalEndPoint, reply.RemoteEndPoint);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Connected_ToClosedPort_ReportsPortUnreachable(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        IPv6Support.SkipUnlessAvailable(address);
        using var socket = new UdpEndpoint(address, 0).Bind();
        int closedPort;
        using (var closed = new UdpEndpoint(address, 0).Bind())
        {
            closedPort = closed.LocalEndPoint.Port;
        }

        socket.Connect(new IPEndPoint(address, closedPort));
        await socket.SendAsync("anyone?"u8.ToArray(), Token).Bounded();
        var error = await Assert.ThrowsAsync<UdpException>(() => socket.ReceiveAsync(new byte[16], Token).Bounded());

        Assert.Equal(SocketError.ConnectionRefused, error.SocketError);
        Assert.Equal("receive", error.Operation);
        Assert.Equal(new IPEndPoint(address, closedPort), error.RemoteEndPoint);
        Assert.Contains("port unreachable", error.Message, StringComparison.Ordinal);
        Assert.Contains(IPLiteral.FormatEndPoint(new IPEndPoint(address, closedPort)), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_Cancelled_ThrowsForTheToken_AndTheSocketStillWorks()
    {
        using var socket = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var pending = socket.ReceiveAsync(new byte[16], cts.Token).AsTask();
        await cts.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Bounded());
        Assert.Equal(cts.Token, error.CancellationToken);

        using var peer = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        await peer.SendToAsync("after"u8.ToArray(), socket.LocalEndPoint, Token).Bounded();
        var datagram = await socket.ReceiveAsync(new byte[16], Token).Bounded();
        Assert.Equal(5, datagram.Length);
    }

    [Fact]
    public async Task Receive_WhenSocketIsDisposed_ThrowsObjectDisposed()
    {
        var socket = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        var pending = socket.ReceiveAsync(new byte[16], Token).AsTask();
        socket.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.Bounded());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => socket.ReceiveAsync(new byte[16], Token).Bounded());
    }

    [Fact]
    public async Task SendTo_FamilyTheSocketCannotReach_IsAnArgumentErrorBeforeSending()
    {
        using var v4 = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => v4.SendToAsync("x"u8.ToArray(), new IPEndPoint(IPAddress.IPv6Loopback, 9), Token).AsTask());
        Assert.Contains("[::1]:9 is IPv6 and this socket is IPv4 only", error.Message, StringComparison.Ordinal);

        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var v6 = new UdpEndpoint(IPAddress.IPv6Loopback, 0).Bind();
        Assert.Throws<ArgumentException>(() => v6.Connect(new IPEndPoint(IPAddress.Loopback, 9)));
    }

    [Fact]
    public void Bind_PortInUse_ThrowsListenExceptionNamingTheEndpoint()
    {
        using var first = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        var error = Assert.Throws<ListenException>(() => new UdpEndpoint(IPAddress.Loopback, first.LocalEndPoint.Port).Bind());
        Assert.Contains($"udp://127.0.0.1:{first.LocalEndPoint.Port}", error.Message, StringComparison.Ordinal);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(Assert.Single(error.Failures).Value).SocketErrorCode);
    }

    [Fact]
    public void Bind_ReuseAddress_LetsTwoSocketsShareAPort()
    {
        using var first = new UdpEndpoint(IPAddress.Loopback, 0) { ReuseAddress = true }.Bind();
        using var second = new UdpEndpoint(IPAddress.Loopback, first.LocalEndPoint.Port) { ReuseAddress = true }.Bind();
        Assert.Equal(first.LocalEndPoint, second.LocalEndPoint);
    }

    [Fact]
    public async Task ForInterface_Loopback_ReceivesOnLoopbackAddresses()
    {
        using var socket = UdpEndpoint.ForInterface("lo", 0).Bind();
        using var peer = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
        await peer.SendToAsync("lo"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, socket.LocalEndPoint.Port), Token).Bounded();
        var datagram = await socket.ReceiveAsync(new byte[16], Token).Bounded();
        Assert.Equal(peer.LocalEndPoint, datagram.RemoteEndPoint);

        // SO_BINDTODEVICE (SOL_SOCKET 1, option 25) reads back the interface's name.
        var name = new byte[16];
        int length = socket.Socket.GetRawSocketOption(1, 25, name);
        Assert.Equal("lo", System.Text.Encoding.ASCII.GetString(name, 0, length).TrimEnd('\0'));
    }

    [Fact]
    public void ForInterface_Missing_ThrowsListenException()
    {
        var error = Assert.Throws<ListenException>(() => UdpEndpoint.ForInterface("nosuchif0", 0).Bind());
        Assert.Contains("no interface named 'nosuchif0'", error.Message, StringComparison.Ordinal);
    }

    // The kernel reports the interface for both families (IP_PKTINFO's ipi_ifindex is 1 for lo), but .NET 10 on Linux
    // passes it on for IPv6 only: IPv4 datagrams come with index 0 (docs/datagrams.md).
    private static void AssertInterface(IPAddress address, ReceivedDatagram datagram)
    {
        int lo = LocalInterface.Find("lo")!.Index;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Assert.Equal(lo, datagram.InterfaceIndex);
        }
        else
        {
            Assert.Contains(datagram.InterfaceIndex, new[] { 0, lo });
        }
    }
}
