using System.Net;

namespace DualStack.Tests.Addresses;

/// <summary>
/// RFC 6052 address synthesis for every prefix length (the RFC's own example table), the way back, parsing, and the
/// prefix discovery's search for the well-known IPv4 addresses (RFC 7050).
/// </summary>
public sealed class Nat64PrefixTests
{
    private static readonly IPAddress s_example = IPAddress.Parse("192.0.2.33");

    // RFC 6052 section 2.4: 192.0.2.33 under a prefix of each length.
    public static TheoryData<string, string> Rfc6052Examples => new()
    {
        { "2001:db8::/32", "2001:db8:c000:221::" },
        { "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
        { "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
        { "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
        { "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0" },
        { "2001:db8:122:344::/96", "2001:db8:122:344::c000:221" },
        { "64:ff9b::/96", "64:ff9b::c000:221" },
    };

    [Theory]
    [MemberData(nameof(Rfc6052Examples))]
    public void Synthesize_EveryLength_MatchesTheRfcExample(string prefix, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), Nat64Prefix.Parse(prefix).Synthesize(s_example));
    }

    [Theory]
    [MemberData(nameof(Rfc6052Examples))]
    public void TryExtract_EveryLength_GivesTheIPv4AddressBack(string prefix, string synthesized)
    {
        Assert.True(Nat64Prefix.Parse(prefix).TryExtract(IPAddress.Parse(synthesized), out var ipv4));
        Assert.Equal(s_example, ipv4);
    }

    [Theory]
    [MemberData(nameof(Rfc6052Examples))]
    public void Find_WellKnownAddressUnderEveryLength_FindsThatPrefix(string prefix, string unused)
    {
        _ = unused;
        var expected = Nat64Prefix.Parse(prefix);
        var wellKnown = IPAddress.Parse("192.0.0.170");

        Assert.Equal(expected, Nat64Prefix.Find(expected.Synthesize(wellKnown), wellKnown));
    }

    [Theory]
    [InlineData("64:ff9b::1:c000:221")] // another prefix
    [InlineData("2001:db8::1")] // outside it
    [InlineData("192.0.2.33")] // not IPv6
    public void TryExtract_AddressNotUnderThePrefix_IsFalse(string address)
    {
        Assert.False(Nat64Prefix.WellKnown.TryExtract(IPAddress.Parse(address), out var ipv4));
        Assert.Null(ipv4);
    }

    [Fact]
    public void TryExtract_BitsSixtyFourToSeventyOneSet_IsFalse()
    {
        // The /64 example with its "u" octet (bits 64-71) not zero is not a synthesised address.
        Assert.False(Nat64Prefix.Parse("2001:db8:122:344::/64").TryExtract(IPAddress.Parse("2001:db8:122:344:1c0:2:2100:0"), out _));
    }

    [Fact]
    public void Synthesize_MappedIPv4_IsTakenAsIPv4_IPv6IsRefused()
    {
        Assert.Equal(IPAddress.Parse("64:ff9b::c000:221"), Nat64Prefix.WellKnown.Synthesize(s_example.MapToIPv6()));
        Assert.Throws<ArgumentException>(() => Nat64Prefix.WellKnown.Synthesize(IPAddress.IPv6Loopback));
    }

    [Theory]
    [InlineData("64:ff9b::", 95)]
    [InlineData("64:ff9b::", 128)]
    [InlineData("64:ff9b::", 0)]
    public void Constructor_LengthNotInRfc6052_Throws(string address, int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nat64Prefix(IPAddress.Parse(address), length));
    }

    [Theory]
    [InlineData("64:ff9b::1", 96)] // bits past the length
    [InlineData("2001:db8:0:1::", 32)]
    [InlineData("192.0.2.0", 32)] // IPv4
    [InlineData("fe80::%1", 64)] // a zone
    public void Constructor_BadAddress_Throws(string address, int length)
    {
        Assert.Throws<ArgumentException>(() => new Nat64Prefix(IPAddress.Parse(address), length));
    }

    [Theory]
    [InlineData("64:ff9b::")]
    [InlineData("64:ff9b::/")]
    [InlineData("64:ff9b::/97")]
    [InlineData("64:ff9b::/0096")]
    [InlineData("64:ff9b::/+96")]
    [InlineData("64:ff9b::1/96")]
    [InlineData("192.0.2.0/32")]
    [InlineData("fe80::%lo/64")]
    [InlineData("/96")]
    [InlineData("")]
    public void TryParse_NotAPrefix_IsFalse(string text)
    {
        Assert.False(Nat64Prefix.TryParse(text, out var prefix));
        Assert.Null(prefix);
        Assert.Throws<FormatException>(() => Nat64Prefix.Parse(text));
    }

    [Fact]
    public void Equality_ToString_AndWellKnown()
    {
        Assert.Equal(Nat64Prefix.WellKnown, Nat64Prefix.Parse("64:ff9b:0::/96"));
        Assert.Equal(Nat64Prefix.WellKnown.GetHashCode(), Nat64Prefix.Parse("64:ff9b::/96").GetHashCode());
        Assert.NotEqual(Nat64Prefix.Parse("2001:db8::/32"), Nat64Prefix.Parse("2001:db8::/40"));
        Assert.Equal("64:ff9b::/96", Nat64Prefix.WellKnown.ToString());
        Assert.Equal(96, Nat64Prefix.WellKnown.Length);
        Assert.Equal(IPAddress.Parse("64:ff9b::"), Nat64Prefix.WellKnown.Address);
    }
}
