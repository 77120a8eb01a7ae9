using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack.Tests.Connecting;

/// <summary>The race on a fake clock: exact start times, the winner, what happens to the losers, no timer left.</summary>
public class ConnectionRaceTests
{
    private static readonly TimeSpan s_delay = TimeSpan.FromMilliseconds(250);
    private static readonly IPEndPoint s_v6a = new(IPAddress.Parse("2001:db8::a"), 443);
    private static readonly IPEndPoint s_v4a = new(IPAddress.Parse("192.0.2.10"), 443);
    private static readonly IPEndPoint s_v6b = new(IPAddress.Parse("2001:db8::b"), 443);

    [Fact]
    public async Task Race_NoAnswer_StartsOneAttemptPerAttemptDelayInOrder()
    {
        var (time, connector, race) = Start(s_v6a, s_v4a, s_v6b);

        var first = await connector.NextAttemptAsync();
        time.Advance(Ms(249));
        Assert.False(connector.HasPendingStart);
        time.Advance(Ms(1));
        var second = await connector.NextAttemptAsync();
        time.Advance(Ms(250));
        var third = await connector.NextAttemptAsync();

        Assert.Equal([(s_v6a, Ms(0)), (s_v4a, Ms(250)), (s_v6b, Ms(500))], connector.Attempts.Select(a => (a.EndPoint, a.Started)));
        second.Succeed();
        var result = await race.Bounded();
        Assert.Same(second.Socket, result.Winner);
        Assert.Equal([AttemptOutcome.Cancelled, AttemptOutcome.Connected, AttemptOutcome.Cancelled], result.Attempts.Select(a => a.Outcome));
        Assert.True(first.Task.IsCanceled && third.Task.IsCanceled);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Race_AttemptFails_NextStartsAtOnceAndTheDelayRestarts()
    {
        var (time, connector, race) = Start(s_v6a, s_v4a, s_v6b);

        var first = await connector.NextAttemptAsync();
        time.Advance(Ms(100));
        first.Fail();
        var second = await connector.NextAttemptAsync();
        time.Advance(Ms(250));
        var third = await connector.NextAttemptAsync();
        third.Succeed();
        var result = await race.Bounded();

        Assert.Equal([Ms(0), Ms(100), Ms(350)], connector.Attempts.Select(a => a.Started));
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Cancelled, AttemptOutcome.Connected], result.Attempts.Select(a => a.Outcome));
        Assert.IsType<ConnectException>(result.Attempts[0].Error);
        Assert.True(second.Task.IsCanceled);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Race_EveryAttemptFails_ReturnsNoWinnerAndEveryError()
    {
        var (time, connector, race) = Start(s_v6a, s_v4a);

        (await connector.NextAttemptAsync()).Fail(System.Net.Sockets.SocketError.NetworkUnreachable);
        (await connector.NextAttemptAsync()).Fail();
        var result = await race.Bounded();

        Assert.Null(result.Winner);
        Assert.All(result.Attempts, a => Assert.Equal(AttemptOutcome.Failed, a.Outcome));
        Assert.Equal([System.Net.Sockets.SocketError.NetworkUnreachable, System.Net.Sockets.SocketError.ConnectionRefused],
            result.Attempts.Select(a => Assert.IsType<ConnectException>(a.Error).SocketError));
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Race_TwoSucceedAtOnce_TheOneStartedFirstWinsAndTheOtherSocketIsClosed()
    {
        // Both attempts connect while the race's thread is held asking for a third candidate: when it next looks, both
        // have connected, and it takes the one it started first, every time.
        using var candidates = new HeldCandidates(s_v6a, s_v4a);
        var (time, connector, race) = Start(candidates, TestContext.Current.CancellationToken);
        var first = await connector.NextAttemptAsync();
        time.Advance(s_delay);
        var second = await connector.NextAttemptAsync();
        var askingForAThird = Task.Run(() => time.Advance(s_delay), TestContext.Current.CancellationToken);
        await candidates.Held.Bounded();

        first.Succeed();
        second.Succeed();
        candidates.Release();
        await askingForAThird.Bounded();
        var result = await race.Bounded();

        Assert.Same(first.Socket, result.Winner);
        Assert.Equal([AttemptOutcome.Connected, AttemptOutcome.Cancelled], result.Attempts.Select(a => a.Outcome));
        Assert.True(second.Socket!.SafeHandle.IsClosed);
        Assert.False(result.Winner!.SafeHandle.IsClosed);
        result.Winner.Dispose();
    }

    [Fact]
    public async Task Race_SuccessAndFailureAtOnce_TheSuccessWinsOnce()
    {
        var (time, connector, race) = Start(s_v6a, s_v4a);
        var first = await connector.NextAttemptAsync();
        time.Advance(s_delay);
        var second = await connector.NextAttemptAsync();

        first.Fail();
        second.Succeed();
        var result = await race.Bounded();

        Assert.Same(second.Socket, result.Winner);
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Connected], result.Attempts.Select(a => a.Outcome));
        result.Winner!.Dispose();
    }

    [Fact]
    public async Task Race_CallerCancels_StopsEveryAttemptAndLeavesNoTimer()
    {
        using var cancel = new CancellationTokenSource();
        var (time, connector, race) = Start(cancel.Token, s_v6a, s_v4a, s_v6b);
        var first = await connector.NextAttemptAsync();
        time.Advance(s_delay);
        var second = await connector.NextAttemptAsync();

        await cancel.CancelAsync();
        var result = await race.Bounded();

        Assert.Null(result.Winner);
        Assert.Equal(2, result.Attempts.Count);
        Assert.All(result.Attempts, a => Assert.Equal(AttemptOutcome.Cancelled, a.Outcome));
        Assert.True(first.Task.IsCanceled && second.Task.IsCanceled);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Race_ConnectorThrowsSynchronously_CountsAsAFailedAttempt()
    {
        var time = new CountingTimeProvider();
        var result = await SocketRace.RunAsync(
            new[] { s_v6a }.ToAsyncEnumerable(), s_delay, int.MaxValue, null, (_, _) => throw new InvalidOperationException("boom"),
            time, time.GetTimestamp(), NullLogger.Instance, TestContext.Current.CancellationToken).Bounded();

        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(AttemptOutcome.Failed, attempt.Outcome);
        Assert.IsType<InvalidOperationException>(attempt.Error);
    }

    private static (CountingTimeProvider Time, ScriptedConnector Connector, Task<ConnectionRace.RaceResult<Socket>> Race) Start(params IPEndPoint[] candidates) =>
        Start(TestContext.Current.CancellationToken, candidates);

    private static (CountingTimeProvider Time, ScriptedConnector Connector, Task<ConnectionRace.RaceResult<Socket>> Race) Start(CancellationToken cancellationToken, params IPEndPoint[] candidates) =>
        Start(candidates.ToAsyncEnumerable(), cancellationToken);

    private static (CountingTimeProvider Time, ScriptedConnector Connector, Task<ConnectionRace.RaceResult<Socket>> Race) Start(IAsyncEnumerable<IPEndPoint> candidates, CancellationToken cancellationToken)
    {
        var time = new CountingTimeProvider();
        long start = time.GetTimestamp();
        var connector = new ScriptedConnector(time, start);
        var race = SocketRace.RunAsync(candidates, s_delay, int.MaxValue, null, connector.ConnectAsync, time, start, NullLogger.Instance, cancellationToken);
        return (time, connector, race);
    }

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
