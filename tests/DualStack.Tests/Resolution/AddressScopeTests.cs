using System.Net;

namespace DualStack.Tests.Resolution;

public class AddressScopeTests
{
    [Theory]
    [InlineData("::1", AddressScope.LinkLocal)]              // RFC 6724 3.1: loopback is link-local
    [InlineData("fe80::1", AddressScope.LinkLocal)]
    [InlineData("febf::1", AddressScope.LinkLocal)]          // still inside fe80::/10
    [InlineData("fec0::1", AddressScope.SiteLocal)]          // deprecated, still scope 5
    [InlineData("fd00::1", AddressScope.Global)]             // ULA: global (RFC 4193 3.3)
    [InlineData("2001:db8::1", AddressScope.Global)]
    [InlineData("::", AddressScope.Global)]
    [InlineData("ff01::1", AddressScope.InterfaceLocal)]     // multicast: scope from the address
    [InlineData("ff02::1", AddressScope.LinkLocal)]
    [InlineData("ff05::1:3", AddressScope.SiteLocal)]
    [InlineData("ff0e::1", AddressScope.Global)]
    [InlineData("127.0.0.1", AddressScope.LinkLocal)]        // RFC 6724 3.2
    [InlineData("127.255.0.9", AddressScope.LinkLocal)]
    [InlineData("169.254.13.78", AddressScope.LinkLocal)]
    [InlineData("169.253.0.1", AddressScope.Global)]
    [InlineData("10.1.2.3", AddressScope.Global)]            // private IPv4 is global in RFC 6724
    [InlineData("192.168.1.1", AddressScope.Global)]
    [InlineData("::ffff:127.0.0.1", AddressScope.LinkLocal)] // mapped: scoped as the IPv4 address
    [InlineData("::ffff:169.254.1.1", AddressScope.LinkLocal)]
    [InlineData("::ffff:198.51.100.1", AddressScope.Global)]
    public void Of_Address_IsTheRfc6724Scope(string address, int expected)
    {
        Assert.Equal(expected, AddressScope.Of(IPAddress.Parse(address)));
    }

    [Fact]
    public void Of_LoopbackWithZone_IsStillLinkLocal()
    {
        Assert.Equal(AddressScope.LinkLocal, AddressScope.Of(IPAddress.Parse("::1%1")));
    }
}
