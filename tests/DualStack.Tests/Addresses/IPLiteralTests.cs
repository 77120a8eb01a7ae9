using System.Net;

namespace DualStack.Tests.Addresses;

public class IPLiteralTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("2001:db8:0:0:0:0:2:1", "2001:db8::2:1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")] // RFC 5952 4.2.2: one zero group stays
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")]          // 4.2.3: the longest run
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]    // 4.2.3: the first of equal runs
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    [InlineData("::1:80", "::1:80")]                             // not the IPv4-compatible form .NET prints
    [InlineData("fe80::1%1", "fe80::1%lo")]
    [InlineData("fe80::1%lo", "fe80::1%lo")]
    [InlineData("fd00::1%4294967295", "fd00::1%4294967295")]
    public void ParseAddress_ThenFormat_GivesCanonicalText(string input, string expected)
    {
        var address = IPLiteral.ParseAddress(input);

        Assert.Equal(expected, IPLiteral.FormatAddress(address));
    }

    [Fact]
    public void ParseAddress_InterfaceNameZone_BecomesScopeIdOfThatInterface()
    {
        var address = IPLiteral.ParseAddress("fe80::1%lo");

        Assert.Equal(1, address.ScopeId);
        Assert.Equal("lo", IPLiteral.FormatZone(address));
    }

    [Theory]
    [InlineData("", "address", 0)]
    [InlineData("1.2.3", "address", 0)]
    [InlineData("1.2.3.4.5", "address", 0)]
    [InlineData("256.1.1.1", "address", 0)]
    [InlineData("01.2.3.4", "address", 0)]
    [InlineData("1.2.3.x", "address", 6)]
    [InlineData("0x7f.0.0.1", "address", 0)]
    [InlineData("1:2:3:4:5:6:7:8:9", "address", 0)]
    [InlineData("1::2::3", "address", 0)]
    [InlineData("12345::1", "address", 0)]
    [InlineData("::ffff:1.2.3.256", "address", 13)]
    [InlineData("fe80::1%", "zone", 8)]
    [InlineData("fe80::1%nosuchif", "zone", 8)]
    [InlineData("fe80::1%lo%1", "zone", 8)]
    [InlineData("fe80::1%4294967296", "zone", 8)]
    [InlineData("fe80::1%0", "zone", 8)]
    [InlineData("192.0.2.1%lo", "zone", 9)]
    [InlineData("::ffff:1.2.3.4%lo", "zone", 14)]
    [InlineData("[::1]", "address", 0)]
    [InlineData("fe80::1%../../x", "zone", 8)]
    [InlineData("example%1", "address", 0)]           // a zone on what is no address at all: the address is wrong
    [InlineData("4294967297.0.0.1", "address", 0)]    // 2^32 + 1: too many digits, whatever an int would make of them
    [InlineData("1.2.03.4", "address", 4)]            // the leading zero is in the third part
    [InlineData("::1.2.3.:5", "address", 0)]          // a dot before the last colon, no IPv4 part after it
    [InlineData("fe80::g", "address", 0)]
    public void ParseAddress_Malformed_ThrowsNamingFieldAndPosition(string input, string field, int position)
    {
        var e = Assert.Throws<EndpointFormatException>(() => IPLiteral.ParseAddress(input));

        Assert.Equal(input, e.Input);
        Assert.Equal(field, e.Field);
        Assert.Equal(position, e.Position);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason), "every error says what is wrong");
        Assert.Contains($"'{input}'", e.Message, StringComparison.Ordinal);
        Assert.False(IPLiteral.TryParseAddress(input, out _));
    }

    [Theory]
    [InlineData("[fe80::1%lo]:80", "[fe80::1%lo]:80")]
    [InlineData("[::1]:0", "[::1]:0")]
    [InlineData("192.0.2.1:65535", "192.0.2.1:65535")]
    [InlineData("[::ffff:192.0.2.1]:443", "[::ffff:192.0.2.1]:443")]
    public void ParseEndPoint_ThenFormat_RoundTrips(string input, string expected)
    {
        var endPoint = IPLiteral.ParseEndPoint(input);

        Assert.Equal(expected, IPLiteral.FormatEndPoint(endPoint));
    }

    [Theory]
    [InlineData("[::1:80", "address", 0)]
    [InlineData("::1:80", "address", 0)]
    [InlineData("[::1]", "port", 5)]
    [InlineData("[::1]:", "port", 6)]
    [InlineData("[::1]:65536", "port", 6)]
    [InlineData("[::1]:99999999999", "port", 6)]
    [InlineData("[::1]:-1", "port", 6)]
    [InlineData("[::1]:http", "port", 6)]
    [InlineData("[::1]x80", "address", 5)]
    [InlineData("[192.0.2.1]:80", "address", 0)]
    [InlineData("[fe80::1%nosuchif]:80", "zone", 9)]
    [InlineData("[::1.2.3.256]:80", "address", 9)]
    [InlineData("192.0.2.1", "port", 9)]
    [InlineData("192.0.2.1:123456", "port", 10)]
    [InlineData("192.0.2.256:80", "address", 8)]
    public void ParseEndPoint_Malformed_ThrowsNamingFieldAndPosition(string input, string field, int position)
    {
        var e = Assert.Throws<EndpointFormatException>(() => IPLiteral.ParseEndPoint(input));

        Assert.Equal((field, position), (e.Field, e.Position));
        Assert.False(string.IsNullOrWhiteSpace(e.Reason), "every error says what is wrong");
        Assert.False(IPLiteral.TryParseEndPoint(input, out _));
    }

    [Fact]
    public void Unmap_IPv4MappedAddress_GivesIPv4()
    {
        var mapped = IPAddress.Parse("::ffff:192.0.2.1");

        Assert.Equal(IPAddress.Parse("192.0.2.1"), IPLiteral.Unmap(mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), IPLiteral.Unmap(new IPEndPoint(mapped, 80)));
        Assert.Same(IPAddress.IPv6Loopback, IPLiteral.Unmap(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void FormatZone_UnknownIndex_IsTheNumber()
    {
        var address = new IPAddress(IPAddress.Parse("fe80::1").GetAddressBytes(), 4_000_000_000);

        Assert.Equal("4000000000", IPLiteral.FormatZone(address));
        Assert.Null(IPLiteral.FormatZone(IPAddress.Loopback));
    }
}
