using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using static DualStack.Tests.Fakes.ScriptedOutcome;

namespace DualStack.Tests.Connecting;

/// <summary>
/// The race's edges that its timing scenarios do not reach: argument checks, the events a one-address connect reports,
/// a connection kept safe from an observer that throws on it, a candidate request still pending when the race is won,
/// candidates that fail at once, and what a step's failure and a losing step's result leave behind.
/// </summary>
public sealed class RaceEdgeTests
{
    private const string V6 = "2001:db8::a";
    private const string V4 = "192.0.2.10";

    [Fact]
    public async Task ConnectAsync_BadArguments_ThrowBeforeAnyAttempt()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time);
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync };
        IPEndPoint[] candidates = [new(IPAddress.Parse(V4), 80)];
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => ConnectionRace.ConnectAsync("t", null!, options, TestContext.Current.CancellationToken).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => ConnectionRace.ConnectAsync(null!, candidates.ToAsyncEnumerable(), options, TestContext.Current.CancellationToken).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ConnectionRace.ConnectAsync("t", candidates.ToAsyncEnumerable(), options, cancelled.Token).AsTask());
        // A race cancelled before it starts does not touch the caller's candidates.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ConnectionRace.ConnectAsync("t", new NotToBeEnumerated(), options, cancelled.Token).AsTask());
        Assert.Empty(connector.Starts);
    }

    [Theory]
    [InlineData(true, new[] { 1, 3 })]
    [InlineData(false, new[] { 1, 2, 4 })]
    public async Task Literal_ReportsItsAttemptAsARaceOfOneDoes(bool connects, int[] events)
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V4, 1, connects ? Connect : Refuse);
        var logged = new List<int>();
        var endpoint = new HostnameEndpoint(V4, 80)
        {
            TimeProvider = time,
            Connector = connector.ConnectAsync,
            LoggerFactory = new ThrowingLoggerFactory(id =>
            {
                lock (logged)
                {
                    logged.Add(id);
                }

                return false;
            }),
        };

        var (connection, _) = await FakeClockConnect.RunAsync(endpoint, time);
        await using (connection)
        {
            Assert.Equal(connects, connection is not null);
        }

        Assert.Equal(events, logged);
    }

    [Fact]
    public async Task Literal_CountsItsAttempt()
    {
        using var meters = new TestMeters();
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V4, 1, Connect);
        var endpoint = new HostnameEndpoint(V4, 80) { TimeProvider = time, Connector = connector.ConnectAsync, MeterFactory = meters.Factory };

        var (connection, _) = await FakeClockConnect.RunAsync(endpoint, time);
        await using (connection)
        {
            Assert.NotNull(connection);
        }

        Assert.Equal(1, Assert.Single(attempts.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task Literal_LoggerThrowsOnTheWinnersEvent_TheConnectionIsClosed()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V4, 1, Connect);
        var endpoint = new HostnameEndpoint(V4, 80) { TimeProvider = time, Connector = connector.ConnectAsync, LoggerFactory = new ThrowingLoggerFactory(eventId: 3) };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Equal("logger", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.True(Assert.Single(connector.Sockets).SafeHandle.IsClosed);
    }

    [Fact]
    public async Task WonWhileTheNextCandidateIsAwaited_TheRequestEndsAndItsQueryIsCancelled()
    {
        // The attempt delay passes at 250 ms and the race asks for a candidate that only the A answer (due at 10 s)
        // would give; the IPv6 attempt connects at 300 ms while that request is pending.
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).Answer(AddressFamily.InterNetworkV6, 0, V6).Answer(AddressFamily.InterNetwork, 10_000, V4);
        var connector = new TimedConnector(time).On(V6, 300, Connect);
        var endpoint = new HostnameEndpoint("server.test", 443) { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync };

        await using (var connection = await FakeClockConnect.RunForAsync(endpoint, time, 400))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(300), Assert.Single(connection.Attempts).Ended);
        }

        Assert.Equal(1, resolver.Cancelled);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task CandidatesThrowAtOnce_TheErrorIsTheRacesBeforeAnyAttempt()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time);
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync };
        var error = new HostResolutionException("server.test", ResolutionError.NoSuchName, "scripted", null);

        var thrown = await Assert.ThrowsAsync<HostResolutionException>(() => ConnectionRace.ConnectAsync("server.test:80", new ThrowsAtOnce(error), options, TestContext.Current.CancellationToken).AsTask().Bounded());

        Assert.Same(error, thrown);
        Assert.Empty(connector.Starts);
    }

    [Fact]
    public async Task CandidatesThrowAtOnceAfterTheFirst_TheAttemptUnderWayStillWins()
    {
        // The attempt delay passes at 250 ms and asking for the next candidate throws; the first attempt connects at 300 ms.
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V6, 300, Connect);
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync };
        var candidates = new ThrowsAtOnce(new HostResolutionException("server.test", ResolutionError.TryAgain, "scripted", null), new IPEndPoint(IPAddress.Parse(V6), 80));

        var race = ConnectionRace.ConnectAsync("server.test:80", candidates, options, TestContext.Current.CancellationToken).AsTask();
        for (int ms = 0; ms < 300; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await using var connection = await race.Bounded();
        Assert.Equal(IPAddress.Parse(V6), Assert.Single(connection.Attempts).RemoteEndPoint.Address);
    }

    [Fact]
    public async Task StepFails_ItsSocketIsClosed()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V4, 1, Connect);
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync };
        IPEndPoint[] candidates = [new(IPAddress.Parse(V4), 80)];

        var race = ConnectionRace.ConnectAsync<Stream>(
            "server.test:80",
            candidates.ToAsyncEnumerable(),
            options,
            (_, _, _) => throw new IOException("handshake failed"),
            _ => ValueTask.CompletedTask,
            TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var failure = await Assert.ThrowsAsync<ConnectionRaceException>(() => race.Bounded());
        Assert.IsType<IOException>(Assert.Single(failure.Attempts).Error);
        Assert.True(Assert.Single(connector.Sockets).SafeHandle.IsClosed);
    }

    [Fact]
    public async Task TwoStepsCompleteAtOnce_TheLosersResultIsReleasedAndItsSocketClosed()
    {
        // Both attempts connect and finish their step while the race's thread is held asking for a third candidate.
        var time = new CountingTimeProvider();
        var connector = new StepConnector();
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync };
        using var candidates = new HeldCandidates(new(IPAddress.Parse(V6), 80), new(IPAddress.Parse(V4), 80));
        var released = new List<string>();

        var race = ConnectionRace.ConnectAsync<string>(
            "server.test:80",
            candidates,
            options,
            (_, remote, _) => ValueTask.FromResult(remote.Address.ToString()),
            value =>
            {
                released.Add(value);
                return ValueTask.CompletedTask;
            },
            TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(250));
        var askingForAThird = Task.Run(() => time.Advance(TimeSpan.FromMilliseconds(250)), TestContext.Current.CancellationToken);
        await candidates.Held.Bounded();
        Socket[] sockets = [];
        Inline.Run(() => sockets = [connector.Connect(V6), connector.Connect(V4)]);
        candidates.Release();
        await askingForAThird.Bounded();

        var won = await race.Bounded();
        won.Socket.Dispose();
        Assert.Equal(V6, won.Value);
        Assert.Equal([V4], released);
        Assert.True(sockets[1].SafeHandle.IsClosed);
    }

    // An enumerator that hands out the endpoints given, then throws from MoveNextAsync instead of returning a failed task.
    private sealed class ThrowsAtOnce(Exception error, params IPEndPoint[] first) : IAsyncEnumerable<IPEndPoint>, IAsyncEnumerator<IPEndPoint>
    {
        private int _next = -1;

        public IPEndPoint Current => first[_next];

        public IAsyncEnumerator<IPEndPoint> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync() => ++_next < first.Length ? ValueTask.FromResult(true) : throw error;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class NotToBeEnumerated : IAsyncEnumerable<IPEndPoint>
    {
        public IAsyncEnumerator<IPEndPoint> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the candidates were enumerated");
    }
}
