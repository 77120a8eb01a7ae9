using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using static DualStack.Tests.Fakes.ResolverFault;

namespace DualStack.Tests.Connecting;

/// <summary>
/// Faults injected into a connect by name, on a fake clock (issue #9): resolvers that throw, hang, return nothing, the
/// same address many times or a thousand addresses; connectors that throw; the caller cancelling at each step. Each
/// test checks the one result the caller sees and that nothing is left behind: no socket open but the winner's, no
/// lookup running, no timer pending.
/// </summary>
public class RaceFaultInjectionTests
{
    private const int MaxAddressesPerFamily = HostCandidates.MaxAddressesPerFamily;

    private const int MaxRaceAttempts = ConnectionRace.MaxAttempts;

    private static readonly int[] s_attemptStarts = [20, 270, 520, 770];

    private static readonly IPAddress s_v6a = IPAddress.Parse("2001:db8::a");
    private static readonly IPAddress s_v6b = IPAddress.Parse("2001:db8::b");
    private static readonly IPAddress s_v4a = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress s_v4b = IPAddress.Parse("192.0.2.11");

    private static AddressFamily V6 => AddressFamily.InterNetworkV6;

    private static AddressFamily V4 => AddressFamily.InterNetwork;

    [Theory]
    [InlineData(ThrowSynchronously)]
    [InlineData(ThrowAsynchronously)]
    [InlineData(HangUntilCancelled)]
    public async Task Resolver_OneFamilyFails_TheOtherFamilyConnects(ResolverFault fault)
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, fault, 5).On(V4, Answer, 0, s_v4a);
        var connector = new TimedConnector(time).On(s_v4a.ToString(), 5, ScriptedOutcome.Connect);

        var (connection, error) = await FakeClockConnect.RunAsync(Endpoint(resolver, connector, time), time, 70_000);

        Assert.Null(error);
        Assert.Equal(s_v4a, Assert.Single(connection!.Attempts).RemoteEndPoint.Address);
        await connection.DisposeAsync();
        await AssertNothingLeftAsync(time, resolver, connector);
    }

    // A resolver's own exception (not a HostResolutionException) is a bug in that resolver: it reaches the caller
    // unchanged, as DnsClient.NET and the BCL let bugs through, rather than being dressed up as a lookup failure.
    [Theory]
    [InlineData(ThrowSynchronously)]
    [InlineData(ThrowAsynchronously)]
    public async Task Resolver_BothFamiliesThrow_TheResolversExceptionReachesTheCaller(ResolverFault fault)
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, fault, 5).On(V4, fault, 7);
        var connector = new TimedConnector(time);

        var (_, error) = await FakeClockConnect.RunAsync(Endpoint(resolver, connector, time), time, 70_000);

        Assert.Contains("resolver bug (InterNetworkV6", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
        Assert.Empty(connector.Starts);
        await AssertNothingLeftAsync(time, resolver, connector);
    }

    [Fact]
    public async Task Resolver_HangsUntilCancelled_TheConnectTimeoutEndsItAsAResolutionTimeout()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, HangUntilCancelled).On(V4, HangUntilCancelled);
        var connector = new TimedConnector(time);
        var endpoint = Endpoint(resolver, connector, time) with { ConnectTimeout = TimeSpan.FromSeconds(2) };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time, 70_000);

        Assert.Equal(ResolutionError.Timeout, Assert.IsType<HostResolutionException>(error).Error);
        await AssertNothingLeftAsync(time, resolver, connector);
    }

    // A lookup stuck in a blocking call does not hear its token; the connect must end at its timeout anyway (the
    // timeout bounds "the whole connect, resolution included"), and the stuck lookup's later failure is observed.
    [Fact]
    public async Task Resolver_HangsIgnoringCancellation_TheConnectStillEndsAtItsTimeout()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, HangIgnoringCancellation).On(V4, HangIgnoringCancellation);
        var connector = new TimedConnector(time);
        var endpoint = Endpoint(resolver, connector, time) with { ConnectTimeout = TimeSpan.FromSeconds(2) };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time, 70_000);

        Assert.Equal(ResolutionError.Timeout, Assert.IsType<HostResolutionException>(error).Error);
        Assert.Equal(0, time.ActiveTimers);
        resolver.ReleaseStuckLookups();
        await resolver.AllEnded.Bounded();
        Assert.Equal(0, resolver.Running);
    }

    [Fact]
    public async Task Resolver_HangsIgnoringCancellation_TheCallersCancellationStillEndsTheConnect()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, HangIgnoringCancellation).On(V4, Answer, 0);
        var connector = new TimedConnector(time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var connect = Endpoint(resolver, connector, time).ConnectAsync(cancel.Token).AsTask();
        Advance(time, 100);
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.Bounded());
        Assert.Equal(cancel.Token, e.CancellationToken);
        resolver.ReleaseStuckLookups();
        await resolver.AllEnded.Bounded();
        Assert.Equal(0, resolver.Running);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Resolver_ReturnsNothingForEitherFamily_IsANoDataError()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, Answer, 3).On(V4, Answer, 1);
        var connector = new TimedConnector(time);

        var (_, error) = await FakeClockConnect.RunAsync(Endpoint(resolver, connector, time), time, 70_000);

        Assert.Equal(ResolutionError.NoData, Assert.IsType<HostResolutionException>(error).Error);
        Assert.Empty(connector.Starts);
        await AssertNothingLeftAsync(time, resolver, connector);
    }

    [Fact]
    public async Task Resolver_ReturnsDuplicates_EachAddressIsTriedOnce()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, Answer, 0, s_v6a, s_v6a, s_v6b, s_v6a).On(V4, Answer, 0, s_v4a, s_v4a);
        var connector = new TimedConnector(time)
            .On(s_v6a.ToString(), 1, ScriptedOutcome.Refuse).On(s_v6b.ToString(), 1, ScriptedOutcome.Refuse).On(s_v4a.ToString(), 1, ScriptedOutcome.Refuse);

        var (_, error) = await FakeClockConnect.RunAsync(Endpoint(resolver, connector, time), time, 70_000);

        var failure = Assert.IsType<ConnectionRaceException>(error);
        Assert.Equal([s_v6a, s_v4a, s_v6b], failure.Attempts.Select(a => a.RemoteEndPoint.Address));
        await AssertNothingLeftAsync(time, resolver, connector);
    }

    [Fact]
    public async Task Resolver_ReturnsAThousandAddressesPerFamily_AtMostTheCapIsTriedPerFamily()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time)
            .On(V6, Answer, 0, Enumerable.Range(1, 1000).Select(i => IPAddress.Parse($"2001:db8::{i:x}")))
            .On(V4, Answer, 0, Enumerable.Range(1, 1000).Select(i => new IPAddress([198, 18, (byte)(i >> 8), (byte)i])));
        int attempts = 0;
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = resolver,
            TimeProvider = time,
            Connector = (remote, _) =>
            {
                Interlocked.Increment(ref attempts);
                throw new ConnectException(remote, "refused (scripted)", new SocketException((int)SocketError.ConnectionRefused));
            },
        };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time, 70_000);

        var failure = Assert.IsType<ConnectionRaceException>(error);
        Assert.Equal(2 * MaxAddressesPerFamily, attempts);
        Assert.Equal(MaxAddressesPerFamily, failure.Attempts.Count(a => a.RemoteEndPoint.AddressFamily == V6));
        Assert.Equal(MaxAddressesPerFamily, failure.Attempts.Count(a => a.RemoteEndPoint.AddressFamily == V4));
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Connector_ThrowsSynchronously_CountsAsAFailureAndTheNextAttemptStartsAtOnce()
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, Answer, 0, s_v6a).On(V4, Answer, 0, s_v4a);
        var timed = new TimedConnector(time).On(s_v4a.ToString(), 5, ScriptedOutcome.Connect);
        var endpoint = Endpoint(resolver, timed, time) with
        {
            Connector = (remote, token) => remote.Address.Equals(s_v6a) ? throw new InvalidOperationException("connector bug") : timed.ConnectAsync(remote, token),
        };

        var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time, 70_000);

        Assert.Null(error);
        Assert.Equal([AttemptOutcome.Failed, AttemptOutcome.Connected], connection!.Attempts.Select(a => a.Outcome));
        Assert.IsType<InvalidOperationException>(connection.Attempts[0].Error);
        Assert.Equal(TimeSpan.Zero, connection.Attempts[1].Started);
        await connection.DisposeAsync();
        await AssertNothingLeftAsync(time, resolver, timed);
    }

    [Fact]
    public async Task Race_EndlessCandidatesAllRefused_StopsAtTheAttemptCap()
    {
        var time = new CountingTimeProvider();
        int attempts = 0;

        // A real-time bound as well: without a cap the race would pull candidates forever on the frozen fake clock.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await SocketRace.RunAsync(
            Endless(), TimeSpan.FromMilliseconds(250), int.MaxValue, null,
            (remote, _) =>
            {
                Interlocked.Increment(ref attempts);
                throw new ConnectException(remote, "refused (scripted)", new SocketException((int)SocketError.ConnectionRefused));
            },
            time, time.GetTimestamp(), NullLogger.Instance, bound.Token).Bounded();

        Assert.Null(result.Winner);
        Assert.Equal(MaxRaceAttempts, attempts);
        Assert.Equal(MaxRaceAttempts, result.Attempts.Count);
        Assert.Equal(0, time.ActiveTimers);

        static async IAsyncEnumerable<IPEndPoint> Endless()
        {
            for (int i = 0; ; i++)
            {
                await Task.Yield();
                yield return new IPEndPoint(new IPAddress([198, 18, (byte)(i >> 8), (byte)i]), 443);
            }
        }
    }

    // The race on a fake clock: A answers at 0 ms, AAAA at 20 ms; attempts start at 20 (v6a), 270 (v4a), 520 (v6b) and
    // 770 (v4b) and never end, except that v4a connects at 280 when `v4aConnects`. The caller cancels after `cancelAtMs`
    // (-1: before calling). Whatever the step, the caller sees OperationCanceledException for its own token (or, once
    // v4a has won, the connection), and nothing is left: no socket but the winner's, no lookup, no timer.
    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(19, false)]
    [InlineData(20, false)]
    [InlineData(21, false)]
    [InlineData(69, false)]
    [InlineData(70, false)]
    [InlineData(269, false)]
    [InlineData(270, false)]
    [InlineData(271, false)]
    [InlineData(520, false)]
    [InlineData(770, false)]
    [InlineData(5000, false)]
    [InlineData(279, true)]
    [InlineData(280, true)]
    [InlineData(281, true)]
    public async Task CallerCancels_AtEachStep_ThrowsForItsTokenAndLeavesNothing(int cancelAtMs, bool v4aConnects)
    {
        var time = new CountingTimeProvider();
        var resolver = new FaultyResolver(time).On(V6, Answer, 20, s_v6a, s_v6b).On(V4, Answer, 0, s_v4a, s_v4b);
        var connector = new TimedConnector(time);
        if (v4aConnects)
        {
            connector.On(s_v4a.ToString(), 10, ScriptedOutcome.Connect);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        if (cancelAtMs < 0)
        {
            await cancel.CancelAsync();
        }

        var endpoint = Endpoint(resolver, connector, time) with { ConnectTimeout = TimeSpan.FromSeconds(60) };
        var connect = endpoint.ConnectAsync(cancel.Token).AsTask();
        Advance(time, Math.Max(0, cancelAtMs));
        await cancel.CancelAsync();

        if (v4aConnects && cancelAtMs >= 280)
        {
            await using var connection = await connect.Bounded();
            Assert.Equal(s_v4a, Assert.Single(connection.Attempts, a => a.Outcome == AttemptOutcome.Connected).RemoteEndPoint.Address);
        }
        else
        {
            var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.Bounded());
            Assert.Equal(cancel.Token, e.CancellationToken);
        }

        int expectedStarts = s_attemptStarts.Count(t => t <= cancelAtMs && (!v4aConnects || t < 280));
        Assert.Equal(expectedStarts, connector.Starts.Count);
        await AssertNothingLeftAsync(time, resolver, connector);
    }

    private static HostnameEndpoint Endpoint(IHostResolver resolver, TimedConnector connector, TimeProvider time) =>
        new("server.test", 443) { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync };

    private static void Advance(CountingTimeProvider time, int milliseconds)
    {
        for (int ms = 0; ms < milliseconds; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    // Every socket the connector made is closed (the test disposed the winner), no lookup runs, no timer is pending.
    private static async Task AssertNothingLeftAsync(CountingTimeProvider time, FaultyResolver resolver, TimedConnector connector)
    {
        Assert.All(connector.Sockets, s => Assert.True(s.SafeHandle.IsClosed, "a socket was left open"));
        await resolver.AllEnded.Bounded();
        Assert.Equal(0, resolver.Running);
        Assert.Equal(0, time.ActiveTimers);
    }
}
