namespace DualStack.Tests.Resolution;

public class ServiceNamesTests
{
    [Fact]
    public void Parse_ServicesText_MapsNamesAliasesAndPortsPerProtocol()
    {
        var table = ServiceNames.Parse("""
            # comment
            http        80/tcp      www     # WorldWideWeb HTTP
            domain      53/udp
            broken      x/tcp
            huge        70000/tcp
            """);

        Assert.Equal(80, table.Ports[("www", "tcp")]);
        Assert.Equal("http", table.Names[(80, "tcp")]);
        Assert.Equal(53, table.Ports[("domain", "udp")]);
        Assert.False(table.Ports.ContainsKey(("domain", "tcp")));
        Assert.False(table.Ports.ContainsKey(("broken", "tcp")));
        Assert.False(table.Ports.ContainsKey(("huge", "tcp")));
    }
}
