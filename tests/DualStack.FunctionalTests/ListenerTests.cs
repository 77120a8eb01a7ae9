using System.Collections;
using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

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

    // Port 0: the first socket gets a port from the OS; when another address in the plan cannot have it, Bind starts
    // again on a new port, 8 times at most. Two sockets on one address always collide.
    [Fact]
    public void Bind_PortZeroCollidingOnEveryAttempt_TriesNineTimesThenThrows()
    {
        var plan = new CountingPlan(new(IPAddress.Loopback, DualMode: false), new(IPAddress.Loopback, DualMode: false));

        var e = Assert.Throws<ListenException>(() => Bind(plan, port: 0));

        Assert.Equal(9, plan.Reads);
        var failure = Assert.Single(e.Failures);
        Assert.Equal(IPAddress.Loopback, failure.Key.Address);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(failure.Value).SocketErrorCode);
    }

    [Fact]
    public void Bind_GivenPortTaken_ThrowsWithoutRetrying()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        int port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var plan = new CountingPlan(new SocketListener.Plan(IPAddress.Loopback, DualMode: false));

        var e = Assert.Throws<ListenException>(() => Bind(plan, port));

        Assert.Equal(1, plan.Reads);
        Assert.Equal(SocketError.AddressAlreadyInUse, Assert.IsType<SocketException>(Assert.Single(e.Failures).Value).SocketErrorCode);
    }

    // A new port cures a port collision only: with any other error besides, Bind gives up at once.
    [Fact]
    public void Bind_PortZeroCollidingAndAnotherError_ThrowsWithoutRetrying()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        // An IPv4-mapped address on an IPv6-only socket cannot be bound (EINVAL), whatever the port.
        var mapped = IPAddress.Loopback.MapToIPv6();
        var plan = new CountingPlan(new(IPAddress.Loopback, DualMode: false), new(IPAddress.Loopback, DualMode: false), new(mapped, DualMode: false));

        var e = Assert.Throws<ListenException>(() => Bind(plan, port: 0));

        Assert.Equal(1, plan.Reads);
        Assert.Equal(
            [SocketError.AddressAlreadyInUse, SocketError.InvalidArgument],
            e.Failures.Select(f => Assert.IsType<SocketException>(f.Value).SocketErrorCode));
    }

    // A stopped listener holds the connection for certain; an accept whose token is already cancelled does not take it.
    [Fact]
    public async Task Accept_TokenAlreadyCancelled_ThrowsAndLeavesTheConnectionForTheNextAccept()
    {
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var local = listener.LocalEndPoints[0];
        await using var client = await new TcpClientEndpoint(local.Address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        await listener.StopAsync(TestContext.Current.CancellationToken).Bounded();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener.AcceptAsync(new CancellationToken(canceled: true)).AsTask().Bounded());

        await using var server = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Equal(client.LocalEndPoint, server!.RemoteEndPoint);
    }

    [Fact]
    public async Task Dispose_WithAConnectionNobodyAccepted_ClosesIt()
    {
        var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoints[0], TestContext.Current.CancellationToken).AsTask().Bounded();

        await listener.DisposeAsync().Bounded();

        // End of stream: the listener took the connection (into its queue or from the backlog) and closed it. A reset
        // would mean the connection was still with the kernel when the listening socket closed.
        try
        {
            Assert.Equal(0, await client.ReceiveAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded());
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    // The listener never resumes on its caller's synchronization context (its accept loops start on the caller's
    // thread): under a UI thread's context, a caller that blocks on a listener call would deadlock otherwise.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Listener_CalledUnderASynchronizationContext_NeverPostsToIt(bool stopBeforeDispose)
    {
        var contexts = new CallerContexts();
        var listener = await contexts.Step(() => new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken)).Bounded();
        var accepting = contexts.Step(() => listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask());
        var local = listener.LocalEndPoints[0];
        await using (await new TcpClientEndpoint(local.Address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded())
        {
            await using var server = await accepting.Bounded();
        }

        if (stopBeforeDispose)
        {
            await contexts.Step(() => listener.StopAsync(TestContext.Current.CancellationToken).AsTask()).Bounded();
        }

        await contexts.Step(() => listener.DisposeAsync().AsTask()).Bounded();

        Assert.Equal(0, contexts.Posted);
    }

    private static SocketListener Bind(IReadOnlyList<SocketListener.Plan> plan, int port) =>
        SocketListener.Bind(plan, port, TcpServerEndpoint.DefaultBacklog, "test", NullLogger.Instance, DualStackMetrics.None, TimeProvider.System);

    // A bind plan that counts how often it is read: once per attempt to bind it.
    private sealed class CountingPlan(params SocketListener.Plan[] entries) : IReadOnlyList<SocketListener.Plan>
    {
        public int Reads { get; private set; }

        public int Count => entries.Length;

        public SocketListener.Plan this[int index] => entries[index];

        public IEnumerator<SocketListener.Plan> GetEnumerator()
        {
            Reads++;
            return ((IEnumerable<SocketListener.Plan>)entries).GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
