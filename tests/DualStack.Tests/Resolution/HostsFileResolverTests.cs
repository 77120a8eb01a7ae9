using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Resolution;

public class HostsFileResolverTests
{
    private const string Text = """
        # comment line
        127.0.0.1   localhost
        ::1         localhost ip6-localhost   # trailing comment
        192.0.2.10  web.example web
        2001:db8::10 web.example
        fe80::1%lo  router.local
        not-an-ip   broken.example
        192.0.2.300 bad-octet.example
        192.0.2.11
        192.0.2.12  good.example bad..name
        	192.0.2.13	tabbed.example
        """;

    [Fact]
    public async Task Resolve_NameOnSeveralLines_GivesEveryAddressOfTheFamilyInFileOrder()
    {
        var resolver = HostsFileResolver.Parse(Text);

        var v6 = await resolver.ResolveAsync("localhost", 80, AddressFamily.InterNetworkV6, TestContext.Current.CancellationToken);
        var both = await resolver.ResolveAsync("WEB.example", 443, AddressFamily.Unspecified, TestContext.Current.CancellationToken);

        Assert.Equal([new IPEndPoint(IPAddress.IPv6Loopback, 80)], v6.EndPoints);
        Assert.Equal(["192.0.2.10:443", "[2001:db8::10]:443"], both.EndPoints.Select(IPLiteral.FormatEndPoint));
        Assert.Equal("web.example", both.CanonicalName);
        Assert.False(both.IsOrdered);
    }

    [Fact]
    public async Task Resolve_ZonedAddress_KeepsTheZone()
    {
        var resolver = HostsFileResolver.Parse(Text);

        var answer = await resolver.ResolveAsync("ROUTER.local", 22, AddressFamily.InterNetworkV6, TestContext.Current.CancellationToken);

        Assert.Equal("[fe80::1%lo]:22", IPLiteral.FormatEndPoint(Assert.Single(answer.EndPoints)));
    }

    [Fact]
    public void Parse_MalformedLines_AreSkippedAndReported()
    {
        var resolver = HostsFileResolver.Parse(Text);

        Assert.Equal(4, resolver.Warnings.Count);
        Assert.Contains(resolver.Warnings, w => w.StartsWith("line 7:", StringComparison.Ordinal) && w.Contains("not-an-ip", StringComparison.Ordinal));
        Assert.Contains(resolver.Warnings, w => w.StartsWith("line 8:", StringComparison.Ordinal));
        Assert.Contains(resolver.Warnings, w => w.StartsWith("line 9:", StringComparison.Ordinal) && w.Contains("no names", StringComparison.Ordinal));
        Assert.Contains(resolver.Warnings, w => w.StartsWith("line 10:", StringComparison.Ordinal) && w.Contains("bad..name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_GoodNamesOnALineWithABadOne_StillResolve()
    {
        var resolver = HostsFileResolver.Parse(Text);

        var good = await resolver.ResolveAsync("good.example", 1, AddressFamily.InterNetwork, TestContext.Current.CancellationToken);
        var tabbed = await resolver.ResolveAsync("tabbed.example", 1, AddressFamily.InterNetwork, TestContext.Current.CancellationToken);

        Assert.Single(good.EndPoints);
        Assert.Single(tabbed.EndPoints);
    }

    [Fact]
    public async Task Resolve_UnknownName_FailsWithNoSuchName()
    {
        var resolver = HostsFileResolver.Parse(Text);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => resolver.ResolveAsync("broken.example", 1, AddressFamily.Unspecified, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(ResolutionError.NoSuchName, e.Error);
    }
}
