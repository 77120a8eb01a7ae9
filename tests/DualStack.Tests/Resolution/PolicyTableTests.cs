using System.Net;

namespace DualStack.Tests.Resolution;

public class PolicyTableTests
{
    [Theory]
    [InlineData("::1", 50, 0)]
    [InlineData("2001:db8::1", 40, 1)]
    [InlineData("fe80::1", 40, 1)]
    [InlineData("192.0.2.1", 35, 4)]              // IPv4 is looked up as ::ffff:192.0.2.1
    [InlineData("::ffff:192.0.2.1", 35, 4)]
    [InlineData("2002:c633:6401::1", 30, 2)]      // 6to4
    [InlineData("2001::1", 5, 5)]                 // Teredo, 2001::/32
    [InlineData("2001:1::1", 40, 1)]              // just outside 2001::/32
    [InlineData("fc00::1", 3, 13)]
    [InlineData("fd00::1", 3, 13)]
    [InlineData("::192.0.2.1", 1, 3)]             // IPv4-compatible, deprecated
    [InlineData("::", 1, 3)]
    [InlineData("fec0::1", 1, 11)]
    [InlineData("3ffe::1", 1, 12)]                // 6bone
    public void Lookup_Address_GivesTheRfc6724DefaultRow(string address, int precedence, int label)
    {
        var row = PolicyTable.Lookup(IPAddress.Parse(address));

        Assert.Equal((precedence, label), (row.Precedence, row.Label));
    }

    [Fact]
    public void Rows_Precedence35_BelongsToIPv4MappedOnly()
    {
        // DestinationSortKey relies on this: a tie on precedence means one family, so rule 9's
        // same-family condition holds whenever rule 9 is reached.
        var row = Assert.Single(PolicyTable.Rows, r => r.Precedence == 35);

        Assert.Equal(AddressBits.ToIPv6Bits(IPAddress.Parse("::ffff:0:0")), row.Prefix);
        Assert.Equal(96, row.PrefixLength);
        Assert.DoesNotContain(PolicyTable.Rows, r => r.PrefixLength > 96 && (r.Prefix & AddressBits.Mask(96)) == row.Prefix);
    }

    [Fact]
    public void Rows_AreLongestPrefixFirst()
    {
        Assert.Equal(PolicyTable.Rows.OrderByDescending(r => r.PrefixLength).Select(r => r.PrefixLength), PolicyTable.Rows.Select(r => r.PrefixLength));
    }

    [Theory]
    [InlineData("2001:db8:3f44::2", "2001:db8:3ffe::1", 128, 40)]
    [InlineData("2001:db8:1::2", "2001:db8:1::1", 128, 126)]
    [InlineData("2001:db8:1::2", "2001:db8:1::1", 64, 64)]
    [InlineData("2001:db8::1", "2001:db8::1", 128, 128)]
    [InlineData("::", "8000::", 128, 0)]
    public void CommonPrefixLength_TwoAddresses_CountsSharedLeadingBitsUpToTheLimit(string a, string b, int limit, int expected)
    {
        Assert.Equal(expected, AddressBits.CommonPrefixLength(AddressBits.ToIPv6Bits(IPAddress.Parse(a)), AddressBits.ToIPv6Bits(IPAddress.Parse(b)), limit));
    }
}
