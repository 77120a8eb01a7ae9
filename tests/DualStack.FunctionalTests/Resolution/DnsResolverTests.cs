using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace DualStack.FunctionalTests.Resolution;

public class DnsResolverTests
{
    private static readonly IPAddress s_v4 = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress s_v4Other = IPAddress.Parse("192.0.2.11");
    private static readonly IPAddress s_v6 = IPAddress.Parse("2001:db8::10");

    public static TheoryData<string> LoopbackAddresses => new("127.0.0.1", "::1");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static LoopbackDnsServer StartServer(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        IPv6Support.SkipUnlessAvailable(address);
        return new LoopbackDnsServer(address);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_AAndAaaa_AreAnsweredByOneQueryEach(string loopback)
    {
        await using var server = StartServer(loopback);
        server.Add("host.test", s_v4);
        server.Add("host.test", s_v4Other);
        server.Add("host.test", s_v6);
        var resolver = new DnsResolver(server.EndPoint);

        var v4 = await resolver.ResolveAsync("host.test", 443, AddressFamily.InterNetwork, Token).Bounded();
        var v6 = await resolver.ResolveAsync("host.test", 443, AddressFamily.InterNetworkV6, Token).Bounded();

        Assert.Equal([new IPEndPoint(s_v4, 443), new IPEndPoint(s_v4Other, 443)], v4.EndPoints);
        Assert.Equal([new IPEndPoint(s_v6, 443)], v6.EndPoints);
        Assert.False(v4.IsOrdered);
        Assert.Equal("host.test", v4.CanonicalName);
        Assert.Equal(1, server.QueryCount("host.test", LoopbackDnsServer.TypeA, ProtocolType.Udp));
        Assert.Equal(1, server.QueryCount("host.test", LoopbackDnsServer.TypeAaaa, ProtocolType.Udp));
        Assert.Equal(2, server.Queries.Count);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_CNameChain_FollowsItAndReportsTheCanonicalName(string loopback)
    {
        await using var server = StartServer(loopback);
        server.AddCName("www.test", "cdn.test");
        server.AddCName("cdn.test", "edge.cdn.test");
        server.Add("EDGE.cdn.test", s_v6);
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync("WWW.test", 80, AddressFamily.InterNetworkV6, Token).Bounded();

        Assert.Equal([new IPEndPoint(s_v6, 80)], answer.EndPoints);
        Assert.Equal("edge.cdn.test", answer.CanonicalName);
    }

    [Fact]
    public async Task Resolve_CNameChainLongerThan8_IsAFailure()
    {
        await using var server = StartServer("127.0.0.1");
        for (int i = 0; i < 9; i++)
        {
            server.AddCName($"n{i}.test", $"n{i + 1}.test");
        }

        server.Add("n9.test", s_v4);
        var resolver = new DnsResolver(server.EndPoint);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("n0.test", 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(ResolutionError.Failure, e.Error);
        Assert.Contains("CNAME", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_CNameChainOf8_IsFollowed()
    {
        await using var server = StartServer("127.0.0.1");
        for (int i = 0; i < 8; i++)
        {
            server.AddCName($"n{i}.test", $"n{i + 1}.test");
        }

        server.Add("n8.test", s_v4);
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync("n0.test", 80, AddressFamily.InterNetwork, Token).Bounded();

        Assert.Equal("n8.test", answer.CanonicalName);
        Assert.Equal([new IPEndPoint(s_v4, 80)], answer.EndPoints);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_NxDomain_IsNoSuchNameNamingTheServer(string loopback)
    {
        await using var server = StartServer(loopback);
        var resolver = new DnsResolver(server.EndPoint);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("missing.test", 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(ResolutionError.NoSuchName, e.Error);
        Assert.Equal("missing.test", e.Host);
        Assert.Equal($"Name or service not known (NXDOMAIN from {IPLiteral.FormatEndPoint(server.EndPoint)})", e.Detail);
        Assert.Contains(loopback == "::1" ? $"[::1]:{server.EndPoint.Port}" : $"127.0.0.1:{server.EndPoint.Port}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_ServFail_IsTryAgain(string loopback)
    {
        await using var server = StartServer(loopback);
        server.RcodeFor("broken.test", LoopbackDnsServer.ServerFailure);
        var resolver = new DnsResolver(server.EndPoint);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("broken.test", 80, AddressFamily.InterNetworkV6, Token).Bounded());

        Assert.Equal(ResolutionError.TryAgain, e.Error);
        Assert.Contains("SERVFAIL", e.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LoopbackDnsServer.Refused, "REFUSED")]
    [InlineData(LoopbackDnsServer.FormatError, "FORMERR")]
    [InlineData(9, "RCODE 9")]
    public async Task Resolve_OtherErrors_AreFailures(int rcode, string text)
    {
        await using var server = StartServer("127.0.0.1");
        server.RcodeFor("no.test", rcode);
        var resolver = new DnsResolver(server.EndPoint);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("no.test", 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(ResolutionError.Failure, e.Error);
        Assert.Contains(text, e.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_NameWithoutAddressesOfThatFamily_IsEmptyNotAnError(string loopback)
    {
        await using var server = StartServer(loopback);
        server.Add("v4only.test", s_v4);
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync("v4only.test", 80, AddressFamily.InterNetworkV6, Token).Bounded();

        Assert.Empty(answer.EndPoints);
        Assert.Equal("v4only.test", answer.CanonicalName);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_TruncatedAnswer_AsksAgainOverTcp(string loopback)
    {
        await using var server = StartServer(loopback);
        server.Add("big.test", s_v4);
        server.Add("big.test", s_v4Other);
        server.TruncateFor("big.test");
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync("big.test", 80, AddressFamily.InterNetwork, Token).Bounded();

        Assert.Equal([new IPEndPoint(s_v4, 80), new IPEndPoint(s_v4Other, 80)], answer.EndPoints);
        Assert.Equal(1, server.QueryCount("big.test", LoopbackDnsServer.TypeA, ProtocolType.Udp));
        Assert.Equal(1, server.QueryCount("big.test", LoopbackDnsServer.TypeA, ProtocolType.Tcp));
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_ForgedAndMalformedDatagramsBeforeTheAnswer_AreIgnored(string loopback)
    {
        await using var server = StartServer(loopback);
        server.AddCName("www.test", "real.test");
        server.Add("real.test", s_v4);
        server.Add("real.test", s_v6);
        server.BadAnswersFirst = true;
        var resolver = new DnsResolver(server.EndPoint);

        var v4 = await resolver.ResolveAsync("www.test", 80, AddressFamily.InterNetwork, Token).Bounded();
        var v6 = await resolver.ResolveAsync("www.test", 80, AddressFamily.InterNetworkV6, Token).Bounded();

        // Every forged datagram carries a poison address: accepting any one of them would show here.
        Assert.Equal([new IPEndPoint(s_v4, 80)], v4.EndPoints);
        Assert.Equal([new IPEndPoint(s_v6, 80)], v6.EndPoints);
        Assert.Equal("real.test", v4.CanonicalName);
        Assert.Equal(2, server.Queries.Count);
    }

    [Fact]
    public async Task Resolve_ForgedDatagramsBeforeNxDomain_AreIgnored()
    {
        await using var server = StartServer("127.0.0.1");
        server.BadAnswersFirst = true;
        var resolver = new DnsResolver(server.EndPoint);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("missing.test", 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(ResolutionError.NoSuchName, e.Error);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_SilentServer_FailsWithTimeoutAfterEveryAttempt(string loopback)
    {
        await using var server = StartServer(loopback);
        server.Silent = true;
        var resolver = new DnsResolver(server.EndPoint) { Timeout = TimeSpan.FromMilliseconds(200), Attempts = 2 };

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("quiet.test", 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(ResolutionError.Timeout, e.Error);
        Assert.Contains(IPLiteral.FormatEndPoint(server.EndPoint), e.Detail, StringComparison.Ordinal);
        await server.WaitForQueriesAsync(2, Token).Bounded();
        Assert.Equal(2, server.QueryCount("quiet.test", LoopbackDnsServer.TypeA, ProtocolType.Udp));
    }

    [Fact]
    public async Task Resolve_SilentServer_TimesOutOnTheResolversClock()
    {
        // The fake clock is the only clock the resolver waits on: nothing happens until it moves.
        await using var server = StartServer("127.0.0.1");
        server.Silent = true;
        var clock = new FakeTimeProvider();
        var resolver = new DnsResolver(server.EndPoint) { Timeout = TimeSpan.FromSeconds(5), Attempts = 3, TimeProvider = clock };

        var lookup = resolver.ResolveAsync("quiet.test", 80, AddressFamily.InterNetworkV6, Token).AsTask();
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            await server.WaitForQueriesAsync(attempt, Token).Bounded();
            Assert.False(lookup.IsCompleted);
            Assert.Equal(attempt, server.Queries.Count);
            clock.Advance(TimeSpan.FromSeconds(4.999));
            Assert.Equal(attempt, server.Queries.Count);
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => lookup.Bounded());
        Assert.Equal(ResolutionError.Timeout, e.Error);
        Assert.Equal(3, server.Queries.Count);
    }

    [Fact]
    public async Task Resolve_SilentTcpAfterTruncation_FailsWithTimeout()
    {
        await using var server = StartServer("127.0.0.1");
        server.Add("big.test", s_v4);
        server.TruncateFor("big.test");
        server.SilentOverTcp = true;
        var clock = new FakeTimeProvider();
        var resolver = new DnsResolver(server.EndPoint) { TimeProvider = clock };

        var lookup = resolver.ResolveAsync("big.test", 80, AddressFamily.InterNetwork, Token).AsTask();
        await server.WaitForQueriesAsync(2, Token).Bounded();
        clock.Advance(resolver.Timeout);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => lookup.Bounded());
        Assert.Equal(ResolutionError.Timeout, e.Error);
        Assert.Contains("TCP", e.Detail, StringComparison.Ordinal);
        Assert.Equal(1, server.QueryCount("big.test", LoopbackDnsServer.TypeA, ProtocolType.Tcp));
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_CancelledMidQuery_ThrowsOperationCanceledForTheCallersToken(string loopback)
    {
        await using var server = StartServer(loopback);
        server.Silent = true;

        // A minute per attempt: if cancellation were not honoured, Bounded() would fail the test first.
        var resolver = new DnsResolver(server.EndPoint) { Timeout = TimeSpan.FromMinutes(1) };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var lookup = resolver.ResolveAsync("quiet.test", 80, AddressFamily.InterNetwork, cancel.Token).AsTask();
        await server.WaitForQueriesAsync(1, Token).Bounded();
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup.Bounded());
        Assert.Equal(cancel.Token, e.CancellationToken);
    }

    [Fact]
    public async Task Resolve_AlreadyCancelled_SendsNothing()
    {
        await using var server = StartServer("127.0.0.1");
        var resolver = new DnsResolver(server.EndPoint);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resolver.ResolveAsync("host.test", 80, AddressFamily.InterNetwork, new CancellationToken(true)).Bounded());

        Assert.Empty(server.Queries);
    }

    [Theory]
    [MemberData(nameof(LoopbackAddresses))]
    public async Task Resolve_SlowAaaa_DoesNotHoldBackA(string loopback)
    {
        await using var server = StartServer(loopback);
        server.Add("dual.test", s_v4);
        server.Add("dual.test", s_v6);
        server.AaaaDelay = TimeSpan.FromMilliseconds(300);
        var resolver = new DnsResolver(server.EndPoint);

        var aaaa = resolver.ResolveAsync("dual.test", 80, AddressFamily.InterNetworkV6, Token).AsTask();
        var a = resolver.ResolveAsync("dual.test", 80, AddressFamily.InterNetwork, Token).AsTask();

        var first = await Task.WhenAny(aaaa, a).Bounded();
        Assert.Same(a, first);
        Assert.False(aaaa.IsCompleted);
        Assert.Equal([new IPEndPoint(s_v4, 80)], (await a).EndPoints);
        Assert.Equal([new IPEndPoint(s_v6, 80)], (await aaaa.Bounded()).EndPoints);
    }

    [Fact]
    public async Task Resolve_EachQuery_HasItsOwnIdAndSourcePort()
    {
        await using var server = StartServer("127.0.0.1");
        server.Add("host.test", s_v4);
        var resolver = new DnsResolver(server.EndPoint);

        for (int i = 0; i < 8; i++)
        {
            await resolver.ResolveAsync("host.test", 80, AddressFamily.InterNetwork, Token).Bounded();
        }

        // Ids are random 16-bit numbers and ports are the OS's pick: two of eight may collide by chance
        // (about 1 in 2300 for ids), three distinct values missing would mean reuse, not chance.
        var queries = server.Queries;
        Assert.Equal(8, queries.Count);
        Assert.True(queries.Select(q => q.Id).Distinct().Count() >= 7, string.Join(", ", queries.Select(q => q.Id)));
        Assert.True(queries.Select(q => q.From.Port).Distinct().Count() >= 7, string.Join(", ", queries.Select(q => q.From.Port)));
    }

    [Fact]
    public async Task Resolve_Retry_UsesANewIdAndSourcePort()
    {
        await using var server = StartServer("127.0.0.1");
        server.Silent = true;
        var clock = new FakeTimeProvider();
        var resolver = new DnsResolver(server.EndPoint) { TimeProvider = clock, Attempts = 2 };

        var lookup = resolver.ResolveAsync("quiet.test", 80, AddressFamily.InterNetwork, Token).AsTask();
        await server.WaitForQueriesAsync(1, Token).Bounded();
        var firstSocketPort = server.Queries[0].From.Port;
        clock.Advance(resolver.Timeout);
        await server.WaitForQueriesAsync(2, Token).Bounded();
        clock.Advance(resolver.Timeout);
        await Assert.ThrowsAsync<HostResolutionException>(() => lookup.Bounded());

        // Both sockets were open at once only if the first was leaked; its port may be reused after close,
        // so only the pair (id, port) is required to differ.
        var queries = server.Queries;
        Assert.NotEqual((queries[0].Id, firstSocketPort), (queries[1].Id, queries[1].From.Port));
    }

    [Theory]
    [InlineData("192.0.2.1", AddressFamily.InterNetwork, true)]
    [InlineData("192.0.2.1", AddressFamily.InterNetworkV6, false)]
    [InlineData("2001:db8::1", AddressFamily.InterNetworkV6, true)]
    [InlineData("2001:db8::1", AddressFamily.InterNetwork, false)]
    public async Task Resolve_IPLiteral_IsAnsweredWithoutAQuery(string host, AddressFamily family, bool found)
    {
        await using var server = StartServer("127.0.0.1");
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync(host, 8080, family, Token).Bounded();

        Assert.Equal(found ? [new IPEndPoint(IPAddress.Parse(host), 8080)] : [], answer.EndPoints);
        Assert.Empty(server.Queries);
    }

    [Theory]
    [InlineData("bad..name")]
    [InlineData("-bad.test")]
    [InlineData("1.2.3")]
    [InlineData("fe80::1%nosuchif0")]
    public async Task Resolve_MalformedHost_ThrowsEndpointFormatExceptionWithoutAQuery(string host)
    {
        await using var server = StartServer("127.0.0.1");
        var resolver = new DnsResolver(server.EndPoint);

        var e = await Assert.ThrowsAsync<EndpointFormatException>(() => resolver.ResolveAsync(host, 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(host, e.Input);
        Assert.Empty(server.Queries);
    }

    [Fact]
    public async Task Resolve_InternationalName_AsksForItsPunycodeForm()
    {
        await using var server = StartServer("127.0.0.1");
        server.Add("xn--bcher-kva.test", s_v4);
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync("bücher.test", 80, AddressFamily.InterNetwork, Token).Bounded();

        Assert.Equal([new IPEndPoint(s_v4, 80)], answer.EndPoints);
        Assert.Equal("xn--bcher-kva.test", Assert.Single(server.Queries).Name);
    }

    [Fact]
    public async Task Resolve_FinalDot_IsTheSameName()
    {
        await using var server = StartServer("127.0.0.1");
        server.Add("host.test", s_v4);
        var resolver = new DnsResolver(server.EndPoint);

        var answer = await resolver.ResolveAsync("host.test.", 80, AddressFamily.InterNetwork, Token).Bounded();

        Assert.Equal([new IPEndPoint(s_v4, 80)], answer.EndPoints);
        Assert.Equal("host.test", answer.CanonicalName);
    }

    [Fact]
    public async Task Resolve_NoServerListening_TimesOut()
    {
        // Nothing listens on the port: Linux drops the ICMP error for an unconnected socket, so the
        // lookup waits for its timeout rather than failing on a (forgeable) "port unreachable".
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var resolver = new DnsResolver(new IPEndPoint(IPAddress.Loopback, port)) { Timeout = TimeSpan.FromMilliseconds(100), Attempts = 1 };

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("host.test", 80, AddressFamily.InterNetwork, Token).Bounded());

        Assert.Equal(ResolutionError.Timeout, e.Error);
    }

    [Fact]
    public void Constructor_RejectsBadSettings()
    {
        Assert.Throws<ArgumentNullException>(() => new DnsResolver(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DnsResolver(new IPEndPoint(IPAddress.Loopback, 0)));
        var server = new IPEndPoint(IPAddress.Loopback, 53);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DnsResolver(server) { Timeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DnsResolver(server) { Attempts = 0 });
        Assert.Throws<ArgumentNullException>(() => new DnsResolver(server) { TimeProvider = null! });
        Assert.Equal(Timeout.InfiniteTimeSpan, new DnsResolver(server) { Timeout = Timeout.InfiniteTimeSpan }.Timeout);
    }
}
