using System.Net;
using System.Net.Sockets;
using System.Diagnostics.Metrics;
using DualStack.Diagnostics;
using DualStack.FunctionalTests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;
using DualStack.Tests.Shared.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack.FunctionalTests;

/// <summary>
/// Faults on a real listener over loopback (issue #9): disposal and stopping while accepts are pending or running,
/// cancelled accepts, clients connecting while the listener stops. The contract (IStreamListener's docs): a stopped
/// or disposed listener's AcceptAsync returns null, always, never ObjectDisposedException; a cancelled accept throws
/// for its own token and loses no connection; no client is left hanging on a connection nobody will take.
/// </summary>
public class ListenerFaultTests
{
    [Fact]
    public async Task Dispose_WithManyPendingAccepts_CompletesEveryOneWithNull_AndLaterAcceptsToo()
    {
        var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var pending = Enumerable.Range(0, 16).Select(_ => listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask()).ToList();

        await listener.DisposeAsync().Bounded();

        Assert.All(await Task.WhenAll(pending).Bounded(), Assert.Null);
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded());
        }

        await listener.DisposeAsync().Bounded();
        await listener.StopAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Null(await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded());
    }

    [Fact]
    public async Task Accept_Cancelled_ThrowsForItsToken_AndTheNextAcceptGetsTheConnection()
    {
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var local = listener.LocalEndPoints[0];
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var pending = listener.AcceptAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Bounded());
        Assert.Equal(cancel.Token, e.CancellationToken);

        await using var client = await new TcpClientEndpoint(local.Address, local.Port).ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        await using var server = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Equal(client.LocalEndPoint, server!.RemoteEndPoint);
    }

    // Clients connect from several tasks while several accept loops run and the listener is stopped (then disposed)
    // halfway. Every accept ends with a connection or null; every client either is refused or gets a connection that
    // some accept handed out, or that the listener closed (the client reads end of stream or a reset): none hangs.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopOrDispose_DuringAcceptsAndConnects_EveryAcceptEndsAndNoClientHangs(bool dispose)
    {
        var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var local = listener.LocalEndPoints[0];
        var accepted = new System.Collections.Concurrent.ConcurrentBag<EndPoint>();
        var acceptLoops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await listener.AcceptAsync(TestContext.Current.CancellationToken) is { } connection)
            {
                accepted.Add(connection.RemoteEndPoint!);
                await connection.DisposeAsync();
            }
        })).ToList();
        int connected = 0, refused = 0;
        using var halfway = new SemaphoreSlim(0);
        var clients = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                if (worker == 0 && i == 12)
                {
                    halfway.Release();
                }

                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(local, TestContext.Current.CancellationToken);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    // Refused once the socket is closed; reset when it closes during the handshake.
                    Interlocked.Increment(ref refused);
                    continue;
                }

                if (local.Equals(socket.LocalEndPoint))
                {
                    // TCP simultaneous open: with nothing listening any more, the kernel may pick the listener's old
                    // port as this client's source port, and the socket connects to itself. Nobody refused it, but
                    // no listener took it either.
                    Interlocked.Increment(ref refused);
                    continue;
                }

                Interlocked.Increment(ref connected);
                try
                {
                    // The server side closes every connection it gets, and the listener resets those it drops: either
                    // way this read ends. The client speaks first: a handshake that completes as the listening socket
                    // closes can leave the client established with no socket at all on the server side (the kernel
                    // drops the half-open connection without a reset; seen here about once in 50 runs), and only a
                    // segment from the client draws the reset that ends it.
                    await socket.SendAsync(new byte[] { 1 }, TestContext.Current.CancellationToken).AsTask().Bounded();
                    await socket.ReceiveAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded();
                }
                catch (SocketException)
                {
                }
            }
        })).ToList();

        await halfway.WaitAsync(TestContext.Current.CancellationToken).Bounded();
        if (dispose)
        {
            await listener.DisposeAsync().Bounded();
        }
        else
        {
            await listener.StopAsync(TestContext.Current.CancellationToken).Bounded();
        }

        await Task.WhenAll(clients).Bounded();
        await Task.WhenAll(acceptLoops).Bounded();
        await listener.DisposeAsync().Bounded();

        Assert.Equal(200, connected + refused);
        Assert.True(refused > 0, "no client connected after the stop");
        Assert.InRange(accepted.Count, 1, connected);
        Assert.Null(await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded());
    }

    // A listening socket that can never accept again (shut down under the listener: accept(2) then fails with EINVAL)
    // faults the listener, so that a waiting AcceptAsync throws instead of waiting for connections that cannot come.
    [Fact]
    public async Task Accept_ListeningSocketBroken_ThrowsAListenExceptionNamingTheSocket()
    {
        var listener = (SocketListener)await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        await using var _ = listener;
        var pending = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();

        listener.Sockets[0].Shutdown(SocketShutdown.Both);

        var e = await Assert.ThrowsAsync<ListenException>(() => pending.Bounded());
        Assert.Equal(listener.LocalEndPoints[0], Assert.Single(e.Failures).Key);
        await Assert.ThrowsAsync<ListenException>(() => listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().Bounded());
    }

    [Fact]
    public async Task Accept_ListeningSocketBroken_LogsTheFaultAndCountsTheError()
    {
        using var logs = new ListLoggerFactory();
        using var meters = new TestMeters();
        var errors = meters.Collect<long>(DualStackMetrics.ListenerAcceptErrorsName);
        var endpoint = new TcpServerEndpoint(IPAddress.Loopback, 0) { LoggerFactory = logs, MeterFactory = meters.Factory };
        var listener = (SocketListener)await endpoint.ListenAsync(TestContext.Current.CancellationToken).Bounded();
        await using var _ = listener;

        listener.Sockets[0].Shutdown(SocketShutdown.Both);

        var failed = await logs.WaitForAsync(100);
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Equal(listener.LocalEndPoints[0], failed.Fields["LocalEndPoint"]);
        Assert.Equal(SocketError.InvalidArgument, Assert.IsType<SocketException>(failed.Exception).SocketErrorCode);
        Assert.Equal("socket_error", Assert.Single(errors.GetMeasurementSnapshot()).Tags["error.type"]);
    }

    // Once one socket has faulted the listener, the others take no more connections: the one a loop had already taken
    // is closed (nobody will accept it), later ones stay in the kernel's backlog, where a stop finds them.
    [Fact]
    public async Task Accept_AnotherSocketBroken_TheOthersCloseWhatTheyHeldAndTakeNoMore()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var plan = new SocketListener.Plan[] { new(IPAddress.Loopback, DualMode: false), new(IPAddress.IPv6Loopback, DualMode: false) };
        var listener = SocketListener.Bind(plan, 0, TcpServerEndpoint.DefaultBacklog, "test", NullLogger.Instance, DualStackMetrics.None, TimeProvider.System);
        await using var _ = listener;
        listener.Sockets[0].Shutdown(SocketShutdown.Both);
        await Assert.ThrowsAsync<ListenException>(() => listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask().Bounded());
        using var first = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);

        await first.ConnectAsync(listener.LocalEndPoints[1], TestContext.Current.CancellationToken).AsTask().Bounded();
        await second.ConnectAsync(listener.LocalEndPoints[1], TestContext.Current.CancellationToken).AsTask().Bounded();

        // The ::1 socket's pending accept took the first connection and closed it.
        Assert.Equal(0, await first.ReceiveAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded());
        await listener.StopAsync(TestContext.Current.CancellationToken).Bounded();
        await using var handedOut = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Equal(second.LocalEndPoint, handedOut!.RemoteEndPoint);
    }

    // Stopped while an observer holds up an accept loop (a meter listener still busy with the connection it was told
    // of), the listener waits for the loop, then hands out the connection the loop held; all without posting to the
    // caller's synchronization context.
    [Fact]
    public async Task Stop_WhileAnObserverHoldsUpTheLoop_WaitsForIt_AndHandsOutItsConnection()
    {
        using var meters = new TestMeters();
        using var observing = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters.Factory) && instrument.Name == DualStackMetrics.ListenerAcceptsName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, _, _, _) =>
        {
            observing.Release();
            release.Wait(TestContext.Current.CancellationToken);
        });
        meterListener.Start();
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0) { MeterFactory = meters.Factory }.ListenAsync(TestContext.Current.CancellationToken).Bounded();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoints[0], TestContext.Current.CancellationToken).AsTask().Bounded();
        await observing.WaitAsync(TestContext.Current.CancellationToken).Bounded();
        var contexts = new CallerContexts();

        var stopping = contexts.Step(() => listener.StopAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.False(stopping.IsCompleted);
        release.Set();
        await stopping.Bounded();
        await using var server = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Equal(client.LocalEndPoint, server!.RemoteEndPoint);
        Assert.Equal(0, contexts.Posted);
    }

    // An observer that throws when told of an accepted connection (here a meter listener) faults the listener: that
    // connection is closed, AcceptAsync throws instead of waiting, and disposing still closes every socket.
    [Fact]
    public async Task Accept_MeterListenerThrows_FaultsTheListener_ClosesThatConnection_AndDisposeCompletes()
    {
        using var meters = new TestMeters();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters.Factory) && instrument.Name == "dualstack.listener.accepts")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("meter listener"));
        meterListener.Start();
        var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0) { MeterFactory = meters.Factory }.ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var pending = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoints[0], TestContext.Current.CancellationToken).AsTask().Bounded();

        var e = await Assert.ThrowsAsync<ListenException>(() => pending.Bounded());

        Assert.Equal("meter listener", Assert.IsType<InvalidOperationException>(Assert.Single(e.Failures).Value).Message);
        Assert.Equal(0, await client.ReceiveAsync(new byte[1], TestContext.Current.CancellationToken).AsTask().Bounded());
        await listener.DisposeAsync().Bounded();
    }
}
