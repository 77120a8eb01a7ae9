using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.Tests.Resolution;

public class HostLookupTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetAddressInfo_Literal_NeverAsksTheResolver()
    {
        var resolver = new FakeResolver(IPAddress.Loopback);

        var results = await HostLookup.GetAddressInfoAsync("fe80::1%lo", "22", new AddressInfoHints { Resolver = resolver }, Token);

        var result = Assert.Single(results);
        Assert.Equal("[fe80::1%lo]:22", IPLiteral.FormatEndPoint(result.EndPoint));
        Assert.Equal((AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp), (result.Family, result.SocketType, result.Protocol));
        Assert.Equal(0, resolver.Queries);
    }

    [Fact]
    public async Task GetAddressInfo_LiteralOfTheOtherFamily_FailsWithFamilyNotSupported()
    {
        var e = await Assert.ThrowsAsync<HostResolutionException>(() =>
            HostLookup.GetAddressInfoAsync("::1", null, new AddressInfoHints { Family = AddressFamily.InterNetwork }, Token));

        Assert.Equal(ResolutionError.FamilyNotSupported, e.Error);
    }

    [Theory]
    [InlineData(AddressInfoOptions.Passive, "[::]:80", "0.0.0.0:80")]
    [InlineData(AddressInfoOptions.None, "[::1]:80", "127.0.0.1:80")]
    public async Task GetAddressInfo_NoHost_GivesWildcardOrLoopback(AddressInfoOptions options, string v6, string v4)
    {
        var results = await HostLookup.GetAddressInfoAsync(null, "http", new AddressInfoHints { Options = options }, Token);

        Assert.Equal([v6, v4], results.Select(r => IPLiteral.FormatEndPoint(r.EndPoint)));
    }

    [Theory]
    [InlineData("http", 80)]
    [InlineData("https", 443)]
    [InlineData("ssh", 22)]
    [InlineData("8080", 8080)]
    [InlineData("0", 0)]
    public async Task GetAddressInfo_Service_GivesItsPort(string service, int port)
    {
        var results = await HostLookup.GetAddressInfoAsync("127.0.0.1", service, null, Token);

        Assert.Equal(port, Assert.Single(results).EndPoint.Port);
    }

    [Theory]
    [InlineData("nosuchservice", AddressInfoOptions.None)]
    [InlineData("65536", AddressInfoOptions.None)]
    [InlineData("http", AddressInfoOptions.NumericService)]
    public async Task GetAddressInfo_BadService_FailsWithBadService(string service, AddressInfoOptions options)
    {
        var e = await Assert.ThrowsAsync<HostResolutionException>(() =>
            HostLookup.GetAddressInfoAsync("127.0.0.1", service, new AddressInfoHints { Options = options }, Token));

        Assert.Equal(ResolutionError.BadService, e.Error);
    }

    [Fact]
    public async Task GetAddressInfo_NumericHostWithAName_FailsWithoutALookup()
    {
        var resolver = new FakeResolver(IPAddress.Loopback);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() =>
            HostLookup.GetAddressInfoAsync("example.com", null, new AddressInfoHints { Options = AddressInfoOptions.NumericHost, Resolver = resolver }, Token));

        Assert.Equal(ResolutionError.NoSuchName, e.Error);
        Assert.Equal(0, resolver.Queries);
    }

    [Fact]
    public async Task GetAddressInfo_AnySocketType_GivesStreamAndDatagramPerAddress()
    {
        var results = await HostLookup.GetAddressInfoAsync("192.0.2.1", "domain", new AddressInfoHints { SocketType = SocketType.Unknown }, Token);

        Assert.Equal([(SocketType.Stream, ProtocolType.Tcp, 53), (SocketType.Dgram, ProtocolType.Udp, 53)],
            results.Select(r => (r.SocketType, r.Protocol, r.EndPoint.Port)));
    }

    [Fact]
    public async Task GetAddressInfo_UnorderedAnswer_IsSortedByRfc6724AndCanonicalNameOnFirstOnly()
    {
        var table = new HostTableResolver().Add("both.test", IPAddress.Loopback).Add("both.test", IPAddress.IPv6Loopback);
        var hints = new AddressInfoHints { Resolver = table, Options = AddressInfoOptions.CanonicalName };

        var results = await HostLookup.GetAddressInfoAsync("both.test", "80", hints, Token);

        // RFC 6724 rule 6: ::1 has precedence 50, IPv4 (::ffff:0:0/96) 35.
        Assert.Equal([IPAddress.IPv6Loopback, IPAddress.Loopback], results.Select(r => r.EndPoint.Address));
        Assert.Equal(["both.test", null], results.Select(r => r.CanonicalName));
    }

    [Fact]
    public async Task GetAddressInfo_NameWithoutAddressOfTheFamily_FailsWithNoData()
    {
        var table = new HostTableResolver().Add("v4only.test", IPAddress.Loopback);

        var e = await Assert.ThrowsAsync<HostResolutionException>(() =>
            HostLookup.GetAddressInfoAsync("v4only.test", null, new AddressInfoHints { Resolver = table, Family = AddressFamily.InterNetworkV6 }, Token));

        Assert.Equal(ResolutionError.NoData, e.Error);
    }

    [Fact]
    public async Task GetAddressInfo_MalformedHost_IsBadInputNotALookup()
    {
        await Assert.ThrowsAsync<EndpointFormatException>(() => HostLookup.GetAddressInfoAsync("256.1.1.1", null, null, Token));
        await Assert.ThrowsAsync<EndpointFormatException>(() => HostLookup.GetAddressInfoAsync("fe80::1%nosuchif0", null, null, Token));
    }

    [Fact]
    public async Task GetAddressInfo_CancelledToken_ThrowsOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HostLookup.GetAddressInfoAsync("example.com", null, null, cancelled.Token));
    }

    [Fact]
    public async Task GetNameInfo_NamedHost_FindsTheNameOfLoopbackInTheHostsFile()
    {
        var info = await HostLookup.GetNameInfoAsync(new IPEndPoint(IPAddress.Loopback, 443), NameInfoOptions.None, Token);

        Assert.Equal(new NameInfo("localhost", "https"), info);
    }

    [Theory]
    [InlineData(NameInfoOptions.NumericHost | NameInfoOptions.NumericService, "fe80::1%lo", "80")]
    [InlineData(NameInfoOptions.NumericHost, "fe80::1%lo", "http")]
    [InlineData(NameInfoOptions.NumericHost | NameInfoOptions.Datagram, "fe80::1%lo", "80")]
    public async Task GetNameInfo_Numeric_KeepsTheZoneAndNamesTheService(NameInfoOptions options, string host, string service)
    {
        var info = await HostLookup.GetNameInfoAsync(new IPEndPoint(IPLiteral.ParseAddress("fe80::1%lo"), 80), options, Token);

        Assert.Equal(new NameInfo(host, service), info);
    }
}
