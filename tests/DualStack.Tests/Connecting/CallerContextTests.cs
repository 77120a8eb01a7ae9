using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using DualStack.Tests.Shared.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace DualStack.Tests.Connecting;

/// <summary>
/// A connect never resumes on its caller's <see cref="SynchronizationContext"/> (a UI thread's, an old ASP.NET
/// request's): nothing of the connect's work is posted back to it, so a caller that blocks on the connect from such a
/// thread does not deadlock, and a busy UI thread does not slow the race.
/// </summary>
/// <remarks>
/// Each step of a test (the call, each answer, each connect, each tick of the clock) runs under a context of its own,
/// as if a different caller's thread had completed it. Whatever the connect's code awaits after capturing the context
/// of one step is completed in a later step, under another, and would be posted back to the first: the tests count
/// those posts. Every fake here completes its tasks directly, so the only awaits in the flow are the library's.
/// <para>
/// Only code that runs within a step can capture that step's context: once an await has resumed on the thread pool,
/// there is no context left to capture. So each test arranges for a different part of the connect (the race's clean-up,
/// a step after the connect, a release) to be reached within the call itself, with everything before it already done.
/// </para>
/// </remarks>
public sealed class CallerContextTests
{
    private const string V6a = "2001:db8::1";
    private const string V4a = "192.0.2.1";

    [Fact]
    public async Task ConnectByName_RaceWithALoser_NothingIsPostedToTheCallersContext()
    {
        using var meters = new TestMeters();
        meters.Collect<double>("dualstack.resolve.duration");
        var contexts = new CallerContexts();
        var time = new FakeTimeProvider();
        var resolver = new StepResolver();
        var connector = new StepConnector();
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = resolver, Connector = connector.ConnectAsync, TimeProvider = time, MeterFactory = meters.Factory,
        };

        var connect = contexts.Step(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask());
        contexts.Step(() => resolver.Answer(AddressFamily.InterNetworkV6, V6a));
        // The IPv6 attempt never answers; one attempt delay later the race asks for the next candidate, and A arrives.
        contexts.Step(() => time.Advance(TimeSpan.FromMilliseconds(250)));
        contexts.Step(() => resolver.Answer(AddressFamily.InterNetwork, V4a));
        contexts.Step(() => connector.Connect(V4a));
        // The losing IPv6 attempt ends its cancellation only now, so the race's clean-up waits for it.
        Assert.False(connect.IsCompleted);
        contexts.Step(() => connector.EndCancelled(V6a));

        await using var connection = await connect.Bounded();
        Assert.Equal(IPAddress.Parse(V4a), Assert.Single(connection.Attempts, a => a.Outcome == AttemptOutcome.Connected).RemoteEndPoint.Address);
        Assert.Equal(2, connection.Attempts.Count);
        Assert.Equal(0, contexts.Posted);
    }

    [Fact]
    public async Task ConnectByName_WonAtOnceWhileAQueryWaits_NothingIsPostedToTheCallersContext()
    {
        var contexts = new CallerContexts();
        var resolver = new StepResolver();
        var connector = new StepConnector();
        var endpoint = new HostnameEndpoint("server.test", 443) { Resolver = resolver, Connector = connector.ConnectAsync, TimeProvider = new FakeTimeProvider() };
        // AAAA is answered and the IPv6 connect done before the call, so the race is won within it; A still waits, and the
        // race's clean-up (which cancels it) is what ends later.
        resolver.Answer(AddressFamily.InterNetworkV6, V6a);
        connector.Connect(V6a);

        var connect = contexts.Step(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask());

        await using var connection = await connect.Bounded();
        Assert.Equal(IPAddress.Parse(V6a), Assert.Single(connection.Attempts).RemoteEndPoint.Address);
        Assert.Equal(0, contexts.Posted);
    }

    [Fact]
    public async Task Candidates_DisposedWhileAQueryWaits_NothingIsPostedToTheCallersContext()
    {
        var contexts = new CallerContexts();
        var resolver = new StepResolver();
        resolver.Answer(AddressFamily.InterNetworkV6, V6a);
        var candidates = resolver.Candidates(new FakeTimeProvider());
        var enumerator = candidates.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await enumerator.MoveNextAsync());

        await contexts.Step(() => enumerator.DisposeAsync().AsTask()).Bounded();

        Assert.Equal(0, contexts.Posted);
    }

    [Fact]
    public async Task ConnectToLiteral_NothingIsPostedToTheCallersContext()
    {
        var contexts = new CallerContexts();
        var connector = new StepConnector();
        var endpoint = new HostnameEndpoint(V6a, 443) { Connector = connector.ConnectAsync, TimeProvider = new FakeTimeProvider() };

        var connect = contexts.Step(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask());
        contexts.Step(() => connector.Connect(V6a));

        await using var connection = await connect.Bounded();
        Assert.Equal(0, contexts.Posted);
    }

    [Fact]
    public async Task ConnectToLiteral_ObserverThrowsOnTheWinner_ItsReleaseIsNotPostedToTheCallersContext()
    {
        var contexts = new CallerContexts();
        var connector = new StepConnector();
        var released = new TaskCompletionSource();
        var settings = new RaceSettings(
            TimeSpan.FromMilliseconds(250), int.MaxValue, TimeSpan.FromSeconds(30), null, new FakeTimeProvider(), new ThrowingLoggerFactory(eventId: 3), connector.ConnectAsync, DualStackMetrics.ForConnect, null);
        connector.Connect(V6a);

        var connect = contexts.Step(() => ConnectionRace.ConnectAsync(
            "server.test:443", null, new IPEndPoint(IPAddress.Parse(V6a), 443), settings, (_, _, _) => ValueTask.FromResult("secured"), _ => new ValueTask(released.Task), TestContext.Current.CancellationToken));
        contexts.Step(released.SetResult);

        await Assert.ThrowsAsync<InvalidOperationException>(() => connect.Bounded());
        Assert.Equal(0, contexts.Posted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConnectToNat64Address_NothingIsPostedToTheCallersContext(bool answeredBeforeTheCall)
    {
        var contexts = new CallerContexts();
        var resolver = new StepResolver();
        var connector = new StepConnector();
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = resolver, Connector = connector.ConnectAsync, TimeProvider = new FakeTimeProvider(), HasIPv4Route = _ => false,
        };
        if (answeredBeforeTheCall)
        {
            resolver.Answer(AddressFamily.InterNetwork, "198.51.100.7");
        }

        var connect = contexts.Step(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask());
        contexts.Step(() => resolver.Answer(AddressFamily.InterNetworkV6));
        if (!answeredBeforeTheCall)
        {
            contexts.Step(() => resolver.Answer(AddressFamily.InterNetwork, "198.51.100.7"));
        }

        contexts.Step(() => resolver.Answer(Nat64.DiscoveryName, AddressFamily.InterNetworkV6, "64:ff9b::c000:aa"));
        contexts.Step(() => connector.Connect("64:ff9b::c633:6407"));

        await using var connection = await connect.Bounded();
        Assert.Equal(IPAddress.Parse("198.51.100.7"), Assert.Single(connection.Attempts).SynthesizedFrom);
        Assert.Equal(0, contexts.Posted);
    }

    [Fact]
    public async Task RaceWithAStep_NothingIsPostedToTheCallersContext()
    {
        var contexts = new CallerContexts();
        var connector = new StepConnector();
        var handshake = new TaskCompletionSource<string>();
        var options = new ConnectionRaceOptions { Connector = connector.ConnectAsync, TimeProvider = new FakeTimeProvider() };
        IPEndPoint[] candidates = [new(IPAddress.Parse(V6a), 443)];
        // Connected before the call: the step (a TLS handshake, say) is what the call waits for.
        connector.Connect(V6a);

        var race = contexts.Step(() => ConnectionRace.ConnectAsync(
            "server.test:443",
            candidates.ToAsyncEnumerable(),
            options,
            (_, _, _) => new ValueTask<string>(handshake.Task),
            _ => ValueTask.CompletedTask,
            TestContext.Current.CancellationToken));
        contexts.Step(() => handshake.SetResult("secured"));

        var won = await race.Bounded();
        won.Socket.Dispose();
        Assert.Equal("secured", won.Value);
        Assert.Equal(0, contexts.Posted);
    }

    [Fact]
    public async Task PublicRace_NothingIsPostedToTheCallersContext()
    {
        var contexts = new CallerContexts();
        var connector = new StepConnector();
        var options = new ConnectionRaceOptions { Connector = connector.ConnectAsync, TimeProvider = new FakeTimeProvider() };
        IPEndPoint[] candidates = [new(IPAddress.Parse(V6a), 443)];

        var race = contexts.Step(() => ConnectionRace.ConnectAsync("server.test:443", candidates.ToAsyncEnumerable(), options, TestContext.Current.CancellationToken).AsTask());
        contexts.Step(() => connector.Connect(V6a));

        await using var connection = await race.Bounded();
        Assert.Equal(0, contexts.Posted);
    }
}
