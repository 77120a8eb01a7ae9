using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.FunctionalTests;

public class ClientTests
{
    [Fact]
    public void BindEndPoint_OfTheOtherFamily_IsRejectedBeforeAnySocketExists()
    {
        var endpoint = new TcpClientEndpoint(IPAddress.IPv6Loopback, 80);

        var e = Assert.Throws<ArgumentException>(() => endpoint with { BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0) });

        Assert.Contains("127.0.0.1:0", e.Message, StringComparison.Ordinal);
        Assert.Contains("::1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindEndPoint_ForAHostName_MustBeIPv4BecauseNamesResolveToIPv4Only()
    {
        var endpoint = new TcpClientEndpoint("example.com", 80);

        Assert.Throws<ArgumentException>(() => endpoint with { BindEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0) });
    }

    [Fact]
    public async Task HostnameConnect_BindAndFamilyDisagree_IsAnArgumentErrorBeforeAnySocket()
    {
        var resolver = new FakeResolver(IPAddress.Loopback);
        var endpoint = new HostnameEndpoint("server.test", 80)
        {
            Resolver = resolver,
            Family = AddressFamily.InterNetworkV6,
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        };

        await Assert.ThrowsAsync<ArgumentException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());
        Assert.Equal(0, resolver.Queries);
    }

    [Fact]
    public async Task Connect_ToClosedPort_ThrowsConnectExceptionWithRefused()
    {
        int port = FreePort(IPAddress.Loopback);

        var e = await Assert.ThrowsAsync<ConnectException>(() => new TcpClientEndpoint(IPAddress.Loopback, port).ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal(SocketError.ConnectionRefused, e.SocketError);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), e.RemoteEndPoint);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_WithBindEndPoint_UsesThatLocalAddress()
    {
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var bind = new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0);

        await using var client = await new TcpClientEndpoint(IPAddress.Loopback, listener.LocalEndPoints[0].Port) { BindEndPoint = bind }
            .ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(bind.Address, ((IPEndPoint)client.LocalEndPoint!).Address);
    }

    [Fact]
    public async Task Connect_HostName_ResolvesIPv4Only()
    {
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var resolver = new FakeResolver(IPAddress.IPv6Loopback, IPAddress.Loopback);

        await using var client = await new TcpClientEndpoint("server.test", listener.LocalEndPoints[0].Port) { Resolver = resolver }
            .ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)client.RemoteEndPoint!).Address);
        Assert.Equal(1, resolver.Queries);
    }

    [Fact]
    public async Task HostnameConnect_IPv6Refused_ConnectsOverIPv4()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        int port = listener.LocalEndPoints[0].Port;
        var endpoint = new HostnameEndpoint("server.test", port) { Resolver = new FakeResolver(IPAddress.IPv6Loopback, IPAddress.Loopback) };

        await using var client = await endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), client.RemoteEndPoint);
    }

    [Fact]
    public async Task HostnameConnect_EverythingRefused_ListsEveryAttempt()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        int port = FreePort(IPAddress.IPv6Loopback);
        var endpoint = new HostnameEndpoint("server.test", port) { Resolver = new FakeResolver(IPAddress.IPv6Loopback, IPAddress.Loopback) };

        var e = await Assert.ThrowsAsync<ConnectionRaceException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.False(e.TimedOut);
        Assert.Equal([IPAddress.IPv6Loopback, IPAddress.Loopback], e.Attempts.Select(a => a.RemoteEndPoint.Address));
        Assert.All(e.Attempts, a => Assert.Equal(AttemptOutcome.Failed, a.Outcome));
        Assert.All(e.Attempts, a => Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<ConnectException>(a.Error).SocketError));
        Assert.StartsWith($"all 2 attempts to connect to server.test:{port} failed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostnameConnect_NameNotFound_ThrowsResolutionError()
    {
        var endpoint = new HostnameEndpoint("nowhere.test", 80) { Resolver = new FakeResolver { FailWith = ResolutionError.NoSuchName } };

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal(ResolutionError.NoSuchName, e.Error);
        Assert.Equal("nowhere.test", e.Host);
    }

    [Fact]
    public async Task Connect_CancelledToken_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new HostnameEndpoint("server.test", 1).ConnectAsync(cancelled.Token).Bounded());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TcpClientEndpoint(IPAddress.Loopback, 1).ConnectAsync(cancelled.Token).Bounded());
    }

    private static int FreePort(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
