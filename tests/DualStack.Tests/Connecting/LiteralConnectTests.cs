using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;

namespace DualStack.Tests.Connecting;

/// <summary>
/// A hostname endpoint given an address literal makes one attempt and nothing else: no resolver call, no attempt-delay
/// timer; its outcomes are those of a race of one.
/// </summary>
public sealed class LiteralConnectTests
{
    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("192.0.2.1")]
    public async Task Literal_Connects_WithOneAttemptAndNoResolverCall(string literal)
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(literal, 5, ScriptedOutcome.Connect);
        var resolver = new CountingResolver();
        var endpoint = new HostnameEndpoint(literal, 443) { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync };

        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();

        // Two timers run: the connect timeout and the scripted connector's own 5 ms wait. No attempt-delay timer, which
        // a race sets before its first attempt.
        Assert.Equal(2, time.ActiveTimers);
        time.Advance(TimeSpan.FromMilliseconds(5));
        await using var connection = await connect.Bounded();
        var attempt = Assert.Single(connection.Attempts);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(literal), 443), attempt.RemoteEndPoint);
        Assert.Equal(AttemptOutcome.Connected, attempt.Outcome);
        Assert.Equal(TimeSpan.Zero, attempt.Started);
        Assert.Equal(TimeSpan.FromMilliseconds(5), attempt.Ended);
        Assert.Equal(0, resolver.Calls);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Literal_Refused_IsARaceExceptionWithTheOneFailedAttempt()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On("2001:db8::1", 3, ScriptedOutcome.Refuse);
        var endpoint = new HostnameEndpoint("2001:db8::1", 443) { TimeProvider = time, Connector = connector.ConnectAsync };

        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(3));

        var e = await Assert.ThrowsAsync<ConnectionRaceException>(() => connect.Bounded());
        var attempt = Assert.Single(e.Attempts);
        Assert.Equal(AttemptOutcome.Failed, attempt.Outcome);
        Assert.IsType<ConnectException>(attempt.Error);
        Assert.False(e.TimedOut);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Literal_NeverAnswering_TimesOutWithTheAttemptCancelled()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On("192.0.2.1", 0, ScriptedOutcome.Never);
        var endpoint = new HostnameEndpoint("192.0.2.1", 80) { TimeProvider = time, Connector = connector.ConnectAsync, ConnectTimeout = TimeSpan.FromSeconds(2) };

        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<ConnectionRaceException>(() => connect.Bounded());
        Assert.True(e.TimedOut);
        Assert.Equal(AttemptOutcome.Cancelled, Assert.Single(e.Attempts).Outcome);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Literal_CallerCancels_ThrowsForTheCallersToken()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On("192.0.2.1", 0, ScriptedOutcome.Never);
        var endpoint = new HostnameEndpoint("192.0.2.1", 80) { TimeProvider = time, Connector = connector.ConnectAsync };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var connect = endpoint.ConnectAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.Bounded());
        Assert.Equal(cancel.Token, e.CancellationToken);
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task Literal_OfAFamilyTheEndpointExcludes_IsAResolutionErrorBeforeAnyAttempt()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time);
        var endpoint = new HostnameEndpoint("2001:db8::1", 443) { TimeProvider = time, Connector = connector.ConnectAsync, Family = AddressFamily.InterNetwork };

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask().Bounded());

        Assert.Equal(ResolutionError.FamilyNotSupported, e.Error);
        Assert.Empty(connector.Starts);
    }

    private sealed class CountingResolver : IHostResolver
    {
        public int Calls { get; private set; }

        public ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
        {
            Calls++;
            return ValueTask.FromResult(new HostAddresses([], isOrdered: true, canonicalName: null));
        }
    }
}
