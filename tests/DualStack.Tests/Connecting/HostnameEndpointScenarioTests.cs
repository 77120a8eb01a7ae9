using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using static DualStack.Tests.Fakes.ScriptedOutcome;

namespace DualStack.Tests.Connecting;

/// <summary>
/// Happy Eyeballs on a fake clock, as a table (after trio's test_highlevel_open_tcp_stream): when each family's answer
/// arrives, when and how each attempt ends, and the exact start time of every attempt and the winner. Attempt delay
/// 250 ms, resolution delay 50 ms. The clock moves 1 ms at a time; every timer, answer and attempt runs on it.
/// </summary>
public class HostnameEndpointScenarioTests
{
    private const string V6a = "2001:db8::a";
    private const string V6b = "2001:db8::b";
    private const string V6c = "2001:db8::c";
    private const string V4a = "192.0.2.10";
    private const string V4b = "192.0.2.11";

    public static TheoryData<string> Names => [.. Scenarios.Keys];

    private static Dictionary<string, Scenario> Scenarios { get; } = new()
    {
        ["healthy: IPv6 first and wins"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 5, Connect).On(V4a, 5, Connect),
            [(V6a, 0)], Winner: (V6a, 5)),
        ["IPv6 silently dropped: IPv4 one attempt delay later"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V4a, 5, Connect),
            [(V6a, 0), (V4a, 250)], Winner: (V4a, 255)),
        ["IPv6 refused: IPv4 at once"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 1, Refuse).On(V4a, 5, Connect),
            [(V6a, 0), (V4a, 1)], Winner: (V4a, 6)),
        ["stagger: one attempt per delay, families interleaved"] = new(
            r => r.Answer(V6, 0, V6a, V6b).Answer(V4, 0, V4a),
            c => c.On(V6b, 10, Connect),
            [(V6a, 0), (V4a, 250), (V6b, 500)], Winner: (V6b, 510)),
        ["failure starts the next attempt early and restarts the delay"] = new(
            r => r.Answer(V6, 0, V6a, V6b).Answer(V4, 0, V4a),
            c => c.On(V6a, 100, Refuse).On(V6b, 10, Connect),
            [(V6a, 0), (V4a, 100), (V6b, 350)], Winner: (V6b, 360)),
        ["AAAA late within the resolution delay: IPv6 still first"] = new(
            r => r.Answer(V6, 30, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 5, Connect),
            [(V6a, 30)], Winner: (V6a, 35)),
        ["AAAA later than the resolution delay: IPv4 at 50 ms, IPv6 when it arrives"] = new(
            r => r.Answer(V6, 1000, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 5, Connect),
            [(V4a, 50), (V6a, 1000)], Winner: (V6a, 1005)),
        ["A late: IPv6 at once, IPv4 when it arrives"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 1000, V4a),
            c => c.On(V4a, 5, Connect),
            [(V6a, 0), (V4a, 1000)], Winner: (V4a, 1005)),
        ["AAAA fails: IPv4 without waiting for it"] = new(
            r => r.Fail(V6, 0, ResolutionError.NoSuchName).Answer(V4, 0, V4a),
            c => c.On(V4a, 5, Connect),
            [(V4a, 0)], Winner: (V4a, 5)),
        ["first address family count 2"] = new(
            r => r.Answer(V6, 0, V6a, V6b, V6c).Answer(V4, 0, V4a, V4b),
            c => c.On(V4b, 1, Connect),
            [(V6a, 0), (V6b, 250), (V4a, 500), (V6c, 750), (V4b, 1000)], Winner: (V4b, 1001),
            Endpoint: e => e with { FirstAddressFamilyCount = 2 }),
        ["max one attempt at a time waits for the failure"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 400, Refuse).On(V4a, 5, Connect),
            [(V6a, 0), (V4a, 400)], Winner: (V4a, 405),
            Endpoint: e => e with { MaxConcurrentAttempts = 1 }),
        ["sequential policy: IPv6 addresses, then IPv4, one at a time"] = new(
            r => r.Answer(V6, 0, V6a, V6b).Answer(V4, 0, V4a),
            c => c.On(V6a, 10, Refuse).On(V6b, 10, Refuse).On(V4a, 5, Connect),
            [(V6a, 0), (V6b, 10), (V4a, 20)], Winner: (V4a, 25),
            Endpoint: e => e with { Policy = ConnectPolicy.Sequential }),
        ["IPv4 only"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V4a, 5, Connect),
            [(V4a, 0)], Winner: (V4a, 5),
            Endpoint: e => e with { Family = AddressFamily.InterNetwork }),
        ["IPv4 preferred, only IPv6 answers: IPv6 is still asked for and tried"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0),
            c => c.On(V6a, 5, Connect),
            [(V6a, 0)], Winner: (V6a, 5),
            Endpoint: e => e with { PreferredFamily = AddressFamily.InterNetwork }),
        ["the resolution delay counts from the IPv4 answer"] = new(
            r => r.Answer(V6, 200, V6a).Answer(V4, 40, V4a),
            c => c.On(V6a, 5, Connect),
            [(V4a, 90), (V6a, 340)], Winner: (V6a, 345)),
        ["no IPv4 address: the IPv6 addresses go on one per delay"] = new(
            r => r.Answer(V6, 0, V6a, V6b).Answer(V4, 0),
            c => c.On(V6b, 5, Connect),
            [(V6a, 0), (V6b, 250)], Winner: (V6b, 255)),
        ["IPv4 went first: the first address family count still gives IPv6 its two"] = new(
            r => r.Answer(V6, 100, V6a, V6b).Answer(V4, 0, V4a, V4b),
            c => c.On(V4b, 1, Connect),
            [(V4a, 50), (V6a, 300), (V6b, 550), (V4b, 800)], Winner: (V4b, 801),
            Endpoint: e => e with { FirstAddressFamilyCount = 2 }),
        ["success and failure at the same instant: exactly one result"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 250, Connect).On(V4a, 0, Refuse),
            [(V6a, 0), (V4a, 250)], Winner: (V6a, 250)),
        ["everything refused: every attempt listed"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c.On(V6a, 1, Refuse).On(V4a, 1, Refuse),
            [(V6a, 0), (V4a, 1)], Winner: null),
        ["timeout: every attempt cancelled"] = new(
            r => r.Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            c => c,
            [(V6a, 0), (V4a, 250)], Winner: null,
            Endpoint: e => e with { ConnectTimeout = TimeSpan.FromMilliseconds(600) }),
    };

    private static AddressFamily V6 => AddressFamily.InterNetworkV6;

    private static AddressFamily V4 => AddressFamily.InterNetwork;

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Connect_Scenario_StartsEachAttemptAtItsTimeAndPicksTheWinner(string name)
    {
        var scenario = Scenarios[name];
        var time = new CountingTimeProvider();
        var connector = scenario.Connects(new TimedConnector(time));
        var endpoint = scenario.Endpoint(new HostnameEndpoint("server.test", 443)
        {
            Resolver = scenario.Answers(new TimedResolver(time)),
            TimeProvider = time,
            Connector = connector.ConnectAsync,
        });

        var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Equal(scenario.Starts.Select(s => (IPAddress.Parse(s.Address), TimeSpan.FromMilliseconds(s.Ms))), connector.Starts);
        if (scenario.Winner is { } winner)
        {
            Assert.Null(error);
            var won = Assert.Single(connection!.Attempts, a => a.Outcome == AttemptOutcome.Connected);
            Assert.Equal((IPAddress.Parse(winner.Address), TimeSpan.FromMilliseconds(winner.Ms)), (won.RemoteEndPoint.Address, won.Ended));
            Assert.Equal(connector.Starts.Count, connection.Attempts.Count);
            await connection.DisposeAsync();
        }
        else
        {
            var failure = Assert.IsType<ConnectionRaceException>(error);
            Assert.Equal(connector.Starts.Select(s => s.Address), failure.Attempts.Select(a => a.RemoteEndPoint.Address));
        }

        // Every socket but the winner's was closed by the race; no timer is left running.
        Assert.All(connector.Sockets, s => Assert.True(s.SafeHandle.IsClosed));
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Connect_WithHistory_SecondConnectStartsWithTheFamilyThatWon()
    {
        var time = new CountingTimeProvider();
        var history = new ConnectionHistory(null, time);
        var resolver = new TimedResolver(time).Answer(V6, 0, V6a).Answer(V4, 0, V4a);
        var connector = new TimedConnector(time).On(V4a, 5, Connect);
        var endpoint = new HostnameEndpoint("server.test", 443) { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync, History = history };

        var (first, _) = await FakeClockConnect.RunAsync(endpoint, time);
        await first!.DisposeAsync();
        connector.Starts.Clear();
        connector.RestartClock();
        var (second, _) = await FakeClockConnect.RunAsync(endpoint, time);
        await second!.DisposeAsync();

        Assert.Equal([(IPAddress.Parse(V4a), TimeSpan.Zero)], connector.Starts);
        Assert.True(history.TryGetWinningFamily("server.test", out var family));
        Assert.Equal(V4, family);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetworkV6, ResolutionError.NoSuchName)]
    [InlineData(AddressFamily.InterNetwork, ResolutionError.TryAgain)]
    public async Task Connect_BothFamiliesFail_ThePreferredFamilysErrorIsReported(AddressFamily preferred, ResolutionError expected)
    {
        var time = new CountingTimeProvider();
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = new TimedResolver(time).Fail(V6, 0, ResolutionError.NoSuchName).Fail(V4, 0, ResolutionError.TryAgain),
            TimeProvider = time,
            PreferredFamily = preferred,
        };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Equal(expected, Assert.IsType<HostResolutionException>(error).Error);
    }

    [Fact]
    public async Task Connect_PreferredFamilyHasNoAddressesAndTheOtherFails_TheOthersErrorIsReported()
    {
        // An empty AAAA answer says less than the A query's failure: the failure is what the caller sees.
        var time = new CountingTimeProvider();
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = new TimedResolver(time).Answer(V6, 0).Fail(V4, 0, ResolutionError.TryAgain),
            TimeProvider = time,
        };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Equal(ResolutionError.TryAgain, Assert.IsType<HostResolutionException>(error).Error);
    }

    [Fact]
    public void Connect_HistoryEntryExpired_PrefersIPv6Again()
    {
        var time = new CountingTimeProvider();
        var history = new ConnectionHistory(TimeSpan.FromMinutes(1), time);
        history.Record("server.test", V4);

        time.Advance(TimeSpan.FromMinutes(2));

        Assert.False(history.TryGetWinningFamily("server.test", out _));
    }

    [Fact]
    public async Task Connect_CallerCancelsMidRace_ThrowsCancellationAndClosesEverything()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time);
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = new TimedResolver(time).Answer(V6, 0, V6a).Answer(V4, 0, V4a),
            TimeProvider = time,
            Connector = connector.ConnectAsync,
        };
        using var cancel = new CancellationTokenSource();

        var connect = endpoint.ConnectAsync(cancel.Token).AsTask();
        Advance(time, 300);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.Bounded());
        Assert.Equal(2, connector.Starts.Count);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Connect_NoAnswerBeforeTheTimeout_IsAResolutionTimeout()
    {
        var time = new CountingTimeProvider();
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = new TimedResolver(time).Answer(V6, 5000, V6a).Answer(V4, 5000, V4a),
            TimeProvider = time,
            ConnectTimeout = TimeSpan.FromMilliseconds(100),
        };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Equal(ResolutionError.Timeout, Assert.IsType<HostResolutionException>(error).Error);
        Assert.Equal(0, time.ActiveTimers);
    }

    private static void Advance(CountingTimeProvider time, int milliseconds)
    {
        for (int ms = 0; ms < milliseconds; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    private sealed record Scenario(
        Func<TimedResolver, TimedResolver> Answers,
        Func<TimedConnector, TimedConnector> Connects,
        (string Address, int Ms)[] Starts,
        (string Address, int Ms)? Winner,
        Func<HostnameEndpoint, HostnameEndpoint>? Endpoint = null)
    {
        public Func<HostnameEndpoint, HostnameEndpoint> Endpoint { get; } = Endpoint ?? (e => e);
    }
}
