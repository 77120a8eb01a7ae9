using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using static DualStack.Tests.Fakes.ScriptedOutcome;

namespace DualStack.Tests.Connecting;

/// <summary>
/// NAT64 synthesis in a connect by name or literal, on a fake clock, with the route check standing in for an IPv6-only
/// host: IPv4 literals and A answers become addresses under the discovered prefix, DNS64 answers are not tried twice,
/// nothing changes where IPv4 has a route, and without a prefix the IPv4 attempt fails at once saying why. Also the
/// discovery itself: what an answer for ipv4only.arpa yields, and how long it is kept.
/// </summary>
public sealed class Nat64ConnectTests
{
    private const string Discovery = Nat64.DiscoveryName;
    private const string ServerIPv4 = "198.51.100.7";
    private const string Synthesized = "64:ff9b::c633:6407";
    private const string WellKnown170 = "64:ff9b::c000:aa";
    private const string WellKnown171 = "64:ff9b::c000:ab";

    private static AddressFamily V6 => AddressFamily.InterNetworkV6;

    private static AddressFamily V4 => AddressFamily.InterNetwork;

    [Fact]
    public async Task IPv4Literal_NoRoute_ConnectsToSynthesizedAddress_AfterTheDiscovery()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor(Discovery, V6, 10, WellKnown170, WellKnown171);
        var connector = new TimedConnector(time).On(Synthesized, 5, Connect);
        var endpoint = IPv6Only(new HostnameEndpoint(ServerIPv4, 80), resolver, connector, time);

        var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Null(error);
        await using (connection)
        {
            var attempt = Assert.Single(connection!.Attempts);
            Assert.Equal(new IPEndPoint(IPAddress.Parse(Synthesized), 80), attempt.RemoteEndPoint);
            Assert.Equal(typeof(IPEndPoint), attempt.RemoteEndPoint.GetType());
            Assert.Equal(IPAddress.Parse(ServerIPv4), attempt.SynthesizedFrom);
            Assert.Equal((TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(15)), (attempt.Started, attempt.Ended));
            Assert.Contains($"(NAT64 for {ServerIPv4})", attempt.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal([(IPAddress.Parse(Synthesized), TimeSpan.FromMilliseconds(10))], connector.Starts);
        Assert.Equal([(Discovery, V6)], resolver.Queries);
    }

    [Fact]
    public async Task AOnlyName_NoRoute_ConnectsToSynthesizedAddress()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time)
            .AnswerFor("server.test", V6, 0)
            .AnswerFor("server.test", V4, 0, ServerIPv4)
            .AnswerFor(Discovery, V6, 0, WellKnown170);
        var connector = new TimedConnector(time).On(Synthesized, 5, Connect);
        var endpoint = IPv6Only(new HostnameEndpoint("server.test", 80), resolver, connector, time);

        var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Null(error);
        await using (connection)
        {
            Assert.Equal(IPAddress.Parse(ServerIPv4), Assert.Single(connection!.Attempts).SynthesizedFrom);
        }

        Assert.Equal([IPAddress.Parse(Synthesized)], connector.Starts.Select(s => s.Address));
    }

    [Fact]
    public async Task Dns64Name_SynthesizedAddressIsTriedOnce_AndNoIPv4Address()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time)
            .AnswerFor("server.test", V6, 0, Synthesized)
            .AnswerFor("server.test", V4, 0, ServerIPv4)
            .AnswerFor(Discovery, V6, 0, WellKnown170);
        var connector = new TimedConnector(time);
        var endpoint = IPv6Only(new HostnameEndpoint("server.test", 80), resolver, connector, time) with { ConnectTimeout = TimeSpan.FromSeconds(1) };

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        // Nothing answers: the one attempt times out, and it was the AAAA answer's (no SynthesizedFrom), not a second one.
        var failure = Assert.IsType<ConnectionRaceException>(error);
        var attempt = Assert.Single(failure.Attempts);
        Assert.Equal(IPAddress.Parse(Synthesized), attempt.RemoteEndPoint.Address);
        Assert.Null(attempt.SynthesizedFrom);
    }

    [Fact]
    public async Task SeveralPrefixes_OneCandidatePerPrefix()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor(Discovery, V6, 0, WellKnown170, "2001:db8:64::c000:aa");
        var connector = new TimedConnector(time).On("2001:db8:64::c633:6407", 1, Connect);
        var endpoint = IPv6Only(new HostnameEndpoint(ServerIPv4, 80), resolver, connector, time);

        var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Null(error);
        await using (connection)
        {
            Assert.Equal([IPAddress.Parse(Synthesized), IPAddress.Parse("2001:db8:64::c633:6407")], connection!.Attempts.Select(a => a.RemoteEndPoint.Address));
        }
    }

    [Fact]
    public async Task NoPrefix_IPv4AttemptFailsAtOnce_NamingTheMissingRouteAndTheDiscovery()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).FailFor(Discovery, V6, 3, ResolutionError.NoSuchName);
        var connector = new TimedConnector(time);
        var endpoint = IPv6Only(new HostnameEndpoint(ServerIPv4, 80), resolver, connector, time);

        var (_, error) = await FakeClockConnect.RunAsync(endpoint, time);

        var attempt = Assert.Single(Assert.IsType<ConnectionRaceException>(error).Attempts);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ServerIPv4), 80), attempt.RemoteEndPoint);
        Assert.Equal(typeof(IPEndPoint), attempt.RemoteEndPoint.GetType());
        Assert.Equal((TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(3)), (attempt.Started, attempt.Ended));
        var socketError = Assert.IsType<SocketException>(attempt.Error, exactMatch: false);
        Assert.Equal(SocketError.NetworkUnreachable, socketError.SocketErrorCode);
        Assert.Contains($"no IPv4 route to {ServerIPv4}", socketError.Message, StringComparison.Ordinal);
        Assert.Contains(Discovery, socketError.Message, StringComparison.Ordinal);
        Assert.Empty(connector.Starts);
    }

    [Fact]
    public async Task RouteToIPv4_NothingChanges_NothingIsAsked()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor("server.test", V4, 0, ServerIPv4).AnswerFor(Discovery, V6, 0, WellKnown170);
        var connector = new TimedConnector(time).On(ServerIPv4, 1, Connect);

        foreach (string host in new[] { ServerIPv4, "server.test" })
        {
            var endpoint = new HostnameEndpoint(host, 80) { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync, HasIPv4Route = _ => true };
            var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time);
            Assert.Null(error);
            await using (connection)
            {
                Assert.Null(Assert.Single(connection!.Attempts).SynthesizedFrom);
            }
        }

        Assert.Equal(0, resolver.QueryCount(Discovery));
        Assert.All(connector.Starts, s => Assert.Equal(IPAddress.Parse(ServerIPv4), s.Address));
    }

    [Theory]
    [InlineData("synthesis off")]
    [InlineData("IPv4 only")]
    [InlineData("IPv4 bind address")]
    public async Task SynthesisOffOrOneFamily_IPv4AddressIsTriedAsItIs(string setting)
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor(Discovery, V6, 0, WellKnown170);
        var connector = new TimedConnector(time).On(ServerIPv4, 1, Connect);
        var endpoint = IPv6Only(new HostnameEndpoint(ServerIPv4, 80), resolver, connector, time);
        endpoint = setting switch
        {
            "synthesis off" => endpoint with { SynthesizeNat64 = false },
            "IPv4 only" => endpoint with { Family = V4 },
            _ => endpoint with { BindEndPoint = new IPEndPoint(IPAddress.Any, 0) },
        };

        var (connection, error) = await FakeClockConnect.RunAsync(endpoint, time);

        Assert.Null(error);
        await using (connection)
        {
            Assert.Equal(IPAddress.Parse(ServerIPv4), Assert.Single(connection!.Attempts).RemoteEndPoint.Address);
        }

        Assert.Equal(0, resolver.QueryCount(Discovery));
    }

    [Fact]
    public async Task Discovery_IsKeptForItsLifetime_ThenAskedAgain()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor(Discovery, V6, 0, WellKnown170);

        await Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask().Bounded();
        time.Advance(Nat64.DefaultLifetime - TimeSpan.FromSeconds(1));
        var prefixes = await Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask().Bounded();
        Assert.Equal(1, resolver.QueryCount(Discovery));
        Assert.Equal([Nat64Prefix.WellKnown], prefixes);

        time.Advance(TimeSpan.FromSeconds(1));
        await Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask().Bounded();
        Assert.Equal(2, resolver.QueryCount(Discovery));
    }

    [Fact]
    public async Task Discovery_FailureIsKeptForThirtySeconds()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).FailFor(Discovery, V6, 0, ResolutionError.NoData);

        for (int i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<HostResolutionException>(() => Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask());
            Assert.Equal((Discovery, ResolutionError.NoData), (error.Host, error.Error));
        }

        Assert.Equal(1, resolver.QueryCount(Discovery));
        time.Advance(Nat64.FailureLifetime);
        await Assert.ThrowsAsync<HostResolutionException>(() => Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(2, resolver.QueryCount(Discovery));
    }

    [Fact]
    public async Task Discovery_AddressesChange_IsAskedAgain()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor(Discovery, V6, 0, WellKnown170);

        await Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask().Bounded();
        Nat64.Forget();
        await Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask().Bounded();

        Assert.Equal(2, resolver.QueryCount(Discovery));
    }

    [Fact]
    public async Task Discovery_ResolverNeverAnswers_FailsAfterItsTimeout()
    {
        var time = new CountingTimeProvider();
        var resolver = new TimedResolver(time).AnswerFor(Discovery, V6, 60_000, WellKnown170);

        var discovery = Nat64.DiscoverAsync(resolver, time, TestContext.Current.CancellationToken).AsTask();
        time.Advance(Nat64.DiscoveryTimeout);

        Assert.Equal(ResolutionError.Timeout, (await Assert.ThrowsAsync<HostResolutionException>(() => discovery.Bounded())).Error);
    }

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "2001:db8::1" }, null)]
    [InlineData(new[] { WellKnown170 }, "64:ff9b::/96")]
    [InlineData(new[] { WellKnown171 }, "64:ff9b::/96")]
    [InlineData(new[] { WellKnown170, WellKnown171 }, "64:ff9b::/96")]
    [InlineData(new[] { "2001:db8:122:344:c0:0:aa00:0" }, "2001:db8:122:344::/64")]
    [InlineData(new[] { "2001:db8:c000:aa::" }, "2001:db8::/32")]
    public void Read_Answer_GivesItsPrefixes(string[] addresses, string? expected)
    {
        var answer = new HostAddresses([.. addresses.Select(a => new IPEndPoint(IPAddress.Parse(a), 0))], isOrdered: true, canonicalName: null);
        var now = DateTimeOffset.UnixEpoch;

        var discovery = Nat64.Read(answer, now);

        if (expected is null)
        {
            Assert.Null(discovery.Prefixes);
            Assert.Equal(ResolutionError.NoData, discovery.Error);
            Assert.Equal(now + Nat64.FailureLifetime, discovery.Expires);
        }
        else
        {
            Assert.Equal([Nat64Prefix.Parse(expected)], discovery.Prefixes);
            Assert.Equal(now + Nat64.DefaultLifetime, discovery.Expires);
        }
    }

    [Fact]
    public void Read_AnswerWithTimeToLive_IsKeptThatLong()
    {
        var answer = new HostAddresses([new IPEndPoint(IPAddress.Parse(WellKnown170), 0)], isOrdered: false, canonicalName: null) { TimeToLive = TimeSpan.FromSeconds(42) };

        Assert.Equal(DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(42), Nat64.Read(answer, DateTimeOffset.UnixEpoch).Expires);
    }

    [Fact]
    public void HasIPv4Route_Loopback_IsTrue_IPv6IsRefused()
    {
        Assert.True(Nat64.HasIPv4Route(IPAddress.Loopback));
        Assert.True(Nat64.HasIPv4Route(IPAddress.Loopback.MapToIPv6()));
        Assert.Throws<ArgumentException>(() => Nat64.HasIPv4Route(IPAddress.IPv6Loopback));
    }

    private static HostnameEndpoint IPv6Only(HostnameEndpoint endpoint, TimedResolver resolver, TimedConnector connector, TimeProvider time) =>
        endpoint with { Resolver = resolver, TimeProvider = time, Connector = connector.ConnectAsync, HasIPv4Route = _ => false };
}
