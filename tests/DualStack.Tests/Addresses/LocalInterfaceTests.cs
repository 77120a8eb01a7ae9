using System.Net;

namespace DualStack.Tests.Addresses;

public class LocalInterfaceTests
{
    [Fact]
    public void GetAll_IncludesLoopbackWithBothLoopbackAddresses()
    {
        var loopback = Assert.Single(LocalInterface.GetAll(), i => i.IsLoopback);

        Assert.True(loopback.IsUp);
        Assert.Contains(loopback.Addresses, a => a.Address.Equals(IPAddress.Loopback) && a.PrefixLength == 8);
        if (System.Net.Sockets.Socket.OSSupportsIPv6)
        {
            Assert.Contains(loopback.Addresses, a => a.Address.Equals(IPAddress.IPv6Loopback));
        }
    }

    [Fact]
    public void GetAll_LinkLocalAddresses_CarryTheirInterfaceIndexAsZone()
    {
        foreach (var nic in LocalInterface.GetAll())
        {
            foreach (var address in nic.Addresses.Where(a => a.Address.IsIPv6LinkLocal))
            {
                Assert.Equal(nic.Index, address.Address.ScopeId);
                Assert.Equal(nic.Name, IPLiteral.FormatZone(address.Address));
            }
        }
    }

    [Fact]
    public void Find_UnknownOrImpossibleName_ReturnsNull()
    {
        Assert.Null(LocalInterface.Find("nosuchif0"));
        Assert.Null(LocalInterface.Find("../../etc"));
        Assert.NotNull(LocalInterface.Find(LocalInterface.GetAll()[0].Name));
    }
}
