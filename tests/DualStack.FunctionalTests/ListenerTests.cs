using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;

namespace DualStack.FunctionalTests;

public class ListenerTests
{
    public static TheoryData<string> LoopbackAddresses => new("127.0.0.1", "::1");

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Listen_OnLoopbackAddress_AcceptsAndEchoes(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        IPv6Support.SkipUnlessAvailable(address);
        await using var listener = await new TcpServerEndpoint(address, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var local = Assert.Single(listener.LocalEndPoints);
        Assert.Equal(address, local.Address);
        Assert.NotEqual(0, local.Port);

        await using var client = await new TcpClientEndpoint(address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        await using var server = (await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded())!;

        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
        Assert.Equal(server.LocalEndPoint, client.RemoteEndPoint);
        await client.Stream.WriteAsync("ping"u8.ToArray(), TestContext.Current.CancellationToken);
        var buffer = new byte[4];
        await server.Stream.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken).Bounded();
        Assert.Equal("ping"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task Listen_AllInterfaces_AcceptsBothFamiliesAndReportsIPv4PeersAsIPv4()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        await using var listener = await TcpServerEndpoint.AllInterfaces(0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        int port = listener.LocalEndPoints[0].Port;

        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            await using var client = await new TcpClientEndpoint(address, port).ConnectAsync(TestContext.Current.CancellationToken).Bounded();
            await using var server = (await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded())!;

            var remote = Assert.IsType<IPEndPoint>(server.RemoteEndPoint);
            Assert.Equal(address, remote.Address);
            Assert.Equal(address.AddressFamily, remote.AddressFamily);
        }
    }

    [Fact]
    public async Task Listen_OnLoopbackInterfaceByName_BindsBothLoopbackAddressesOnOnePort()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        await using var listener = await TcpServerEndpoint.ForInterface("lo", 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Contains(listener.LocalEndPoints, e => e.Address.Equals(IPAddress.Loopback));
        Assert.Contains(listener.LocalEndPoints, e => e.Address.Equals(IPAddress.IPv6Loopback));
        Assert.Single(listener.LocalEndPoints.Select(e => e.Port).Distinct());
    }

    [Fact]
    public async Task Listen_AllInterfacesPerFamily_BindsOneWildcardPerFamilyOnOnePort()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        await using var listener = await TcpServerEndpoint.AllInterfacesPerFamily(0).ListenAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal([IPAddress.IPv6Any, IPAddress.Any], listener.LocalEndPoints.Select(e => e.Address));
        Assert.Single(listener.LocalEndPoints.Select(e => e.Port).Distinct());
    }

    [Fact]
    public async Task Listen_PortTakenOnOneFamily_FailsAndLeavesNothingBound()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        int port = ((IPEndPoint)squatter.LocalEndPoint!).Port;

        var e = await Assert.ThrowsAsync<ListenException>(() => TcpServerEndpoint.ForInterface("lo", port).ListenAsync(TestContext.Current.CancellationToken).Bounded());

        var failure = Assert.Single(e.Failures);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), failure.Key);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(failure.Value).SocketErrorCode);
        // The ::1 socket that did bind was closed again: the port is free on IPv6.
        using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, port));
    }

    [Fact]
    public async Task Listen_UnknownInterface_ThrowsListenExceptionNamingIt()
    {
        var e = await Assert.ThrowsAsync<ListenException>(() => TcpServerEndpoint.ForInterface("nosuchif0", 0).ListenAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Contains("nosuchif0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_WithPendingAccept_CompletesItWithNull()
    {
        var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var pending = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();

        await listener.DisposeAsync().Bounded();

        Assert.Null(await pending.Bounded());
        Assert.Null(await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded());
    }

    [Fact]
    public async Task Stop_WithConnectionsWaiting_HandsThemOutThenNull_AndRefusesNewOnes()
    {
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var local = listener.LocalEndPoints[0];
        var clients = new List<StreamConnection>();
        for (int i = 0; i < 20; i++)
        {
            clients.Add(await new TcpClientEndpoint(local.Address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded());
        }

        await listener.StopAsync(TestContext.Current.CancellationToken).Bounded();

        var accepted = new List<StreamConnection>();
        while (await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded() is { } connection)
        {
            accepted.Add(connection);
        }

        Assert.Equal(clients.Select(c => c.LocalEndPoint).OrderBy(e => e!.ToString()), accepted.Select(c => c.RemoteEndPoint).OrderBy(e => e!.ToString()));
        var refused = await Assert.ThrowsAsync<ConnectException>(() => new TcpClientEndpoint(local.Address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketError);
        foreach (var connection in clients.Concat(accepted))
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dispose_ClosesTheListeningSockets()
    {
        var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var local = listener.LocalEndPoints[0];

        await listener.DisposeAsync().Bounded();

        var e = await Assert.ThrowsAsync<ConnectException>(() => new TcpClientEndpoint(local.Address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded());
        Assert.Equal(SocketError.ConnectionRefused, e.SocketError);
    }
}
