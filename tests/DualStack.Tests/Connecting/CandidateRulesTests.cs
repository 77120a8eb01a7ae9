using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using static DualStack.Tests.Fakes.ScriptedOutcome;

namespace DualStack.Tests.Connecting;

/// <summary>
/// Rules of the candidates and the race that no timing scenario pins down: a query still pending when the race is won,
/// or when the candidates are disposed, is cancelled; the race skips candidates of the family a bind address excludes; an answer the resolver did not order
/// is sorted by RFC 6724 and an ordered one keeps its order.
/// </summary>
public sealed class CandidateRulesTests
{
    private static AddressFamily V6 => AddressFamily.InterNetworkV6;

    private static AddressFamily V4 => AddressFamily.InterNetwork;

    [Fact]
    public async Task RaceWonBeforeTheAaaaAnswer_TheAaaaQueryIsCancelled()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).Answer(V6, 1000, "2001:db8::a").Answer(V4, 0, "192.0.2.10");
        var connector = new TimedConnector(time).On("192.0.2.10", 5, Connect);
        var endpoint = new HostnameEndpoint("server.test", 443) { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync };

        // The clock stops well before the AAAA answer is due.
        await using (var connection = await FakeClockConnect.RunForAsync(endpoint, time, 100))
        {
            // IPv4 after the 50 ms resolution delay, connected 5 ms later; the AAAA answer would have come at 1000 ms.
            Assert.Equal(TimeSpan.FromMilliseconds(55), Assert.Single(connection.Attempts).Ended);
        }

        Assert.Equal(1, resolver.Cancelled);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Candidates_DisposedAfterTheFirst_CancelTheQueryStillWaiting()
    {
        // Without the race: whoever stops enumerating early ends the lookups it started, though its own token is not
        // cancelled; the disposal returns once they have ended.
        var resolver = new StepResolver();
        resolver.Answer(V6, "2001:db8::a");
        var candidates = resolver.Candidates(new CountingTimeProvider());

        await using (var enumerator = candidates.GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            Assert.True(await enumerator.MoveNextAsync());
            Assert.Equal(IPAddress.Parse("2001:db8::a"), enumerator.Current.Address);
            Assert.Equal(0, resolver.Cancelled);
        }

        Assert.Equal(1, resolver.Cancelled);
    }

    [Fact]
    public async Task OtherFamilyAnswersEmptyFirst_NoResolutionDelayIsStarted()
    {
        // The resolution delay holds the other family's addresses back for the preferred family: an empty answer has none.
        var time = new CountingTimeProvider();
        var resolver = new StepResolver();
        var candidates = resolver.Candidates(time);
        await using var enumerator = candidates.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var next = enumerator.MoveNextAsync().AsTask();

        Inline.Run(() => resolver.Answer(V4));
        Assert.Equal(0, time.ActiveTimers);
        Inline.Run(() => resolver.Answer(V6, "2001:db8::a"));

        Assert.True(await next.Bounded());
        Assert.Equal(IPAddress.Parse("2001:db8::a"), enumerator.Current.Address);
    }

    [Fact]
    public async Task Race_BindAddressOfOneFamily_SkipsCandidatesOfTheOther()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On("127.0.0.1", 1, Connect);
        var options = new ConnectionRaceOptions
        {
            BindEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            TimeProvider = time,
            Connector = connector.ConnectAsync,
        };
        IPEndPoint[] candidates = [new(IPAddress.Parse("2001:db8::a"), 80), new(IPAddress.Parse("::1"), 80), new(IPAddress.Loopback, 80)];

        var connect = ConnectionRace.ConnectAsync("server.test:80", candidates.ToAsyncEnumerable(), options, TestContext.Current.CancellationToken).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(1));
        await using var connection = await connect.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal([(IPAddress.Loopback, TimeSpan.Zero)], connector.Starts);
        Assert.Equal(IPAddress.Loopback, Assert.Single(connection.Attempts).RemoteEndPoint.Address);
    }

    [Theory]
    [InlineData(false, "127.0.0.1")]
    [InlineData(true, "192.0.2.10")]
    public async Task Answer_UnorderedIsSortedByRfc6724_OrderedKeepsItsOrder(bool ordered, string first)
    {
        // RFC 6724 puts 127.0.0.1 (link-local scope for IPv4) before a global address, whatever the routes.
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time) { Ordered = ordered }.Answer(V4, 0, "192.0.2.10", "127.0.0.1");
        var connector = new TimedConnector(time);
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = resolver,
            TimeProvider = time,
            Connector = connector.ConnectAsync,
            Family = V4,
            ConnectTimeout = TimeSpan.FromMilliseconds(100),
        };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.IsType<ConnectionRaceException>(error);
        Assert.Equal(IPAddress.Parse(first), connector.Starts[0].Address);
    }
}
