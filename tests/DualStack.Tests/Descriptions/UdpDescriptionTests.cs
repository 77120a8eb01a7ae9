using System.Net;

namespace DualStack.Tests.Descriptions;

public class UdpDescriptionTests
{
    [Theory]
    [InlineData("udp:5353", "udp://0.0.0.0:5353")]
    [InlineData("udp6:5353", "udp://[::]:5353")]
    [InlineData("udp:5353:interface=*", "udp://*:5353")]
    [InlineData("udp:5353:interface=lo", "udp://lo:5353")]
    [InlineData("udp:5353:interface=\\:\\:1", "udp://[::1]:5353")]
    [InlineData("udp:port=53:interface=127.0.0.1:reuse=true", "udp://127.0.0.1:53?reuse=true")]
    [InlineData("udp://*:0", "udp://*:0")]
    [InlineData("udp://[fe80::1%lo]:5353", "udp://[fe80::1%lo]:5353")]
    [InlineData("udp://[fe80::1%1]:5353?reuse=yes", "udp://[fe80::1%lo]:5353?reuse=true")]
    [InlineData("udp://lo:9?reuse=false", "udp://lo:9")]
    public void ParseDatagram_GivesEndpointThatFormatsCanonically(string description, string canonical)
    {
        var endpoint = EndpointDescription.ParseDatagram(description);

        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(endpoint, EndpointDescription.ParseDatagram(canonical));
        Assert.Equal(endpoint, EndpointDescription.ParseDatagram(EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted)));
    }

    [Fact]
    public void ParseDatagram_ScopesAndAddresses()
    {
        Assert.Equal(new UdpEndpoint(IPAddress.Any, 53), EndpointDescription.ParseDatagram("udp:53"));
        Assert.Equal(UdpEndpoint.AllInterfaces(53), EndpointDescription.ParseDatagram("udp://*:53"));
        Assert.Equal(UdpEndpoint.ForInterface("lo", 53), EndpointDescription.ParseDatagram("udp:53:interface=lo"));
        var zoned = EndpointDescription.ParseDatagram("udp://[fe80::1%lo]:53");
        Assert.Equal(ListenScope.Address, zoned.Scope);
        Assert.Equal(1, zoned.Address!.ScopeId);
    }

    [Theory]
    [InlineData("udp:53", EndpointRole.Datagram)]
    [InlineData("udp://*:53", EndpointRole.Datagram)]
    [InlineData("udp6:53", EndpointRole.Datagram)]
    public void InferRole_UdpIsDatagram(string description, EndpointRole role) =>
        Assert.Equal(role, EndpointDescription.InferRole(description));

    [Theory]
    [InlineData("udp:", "port", 4)]
    [InlineData("udp:53:54", "description", 7)]
    [InlineData("udp:65536", "port", 4)]
    [InlineData("udp:53:interface=nosuchif0", "interface", 7)]
    [InlineData("udp:53:backlog=5", "option 'backlog'", 7)]
    [InlineData("udp:53:reuse=maybe", "option 'reuse'", 7)]
    [InlineData("udp6:53:interface=127.0.0.1", "interface", 8)]
    [InlineData("udp6:53:interface=*", "interface", 8)]
    [InlineData("udp://[fe80::1%nosuchif0]:53", "zone", 15)]
    [InlineData("udp://*:53?dualmode=false", "option 'dualmode'", 11)]
    [InlineData("tcp://*:53", "kind", 0)]
    public void ParseDatagram_Malformed_ThrowsNamingFieldAndPosition(string description, string field, int position)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseDatagram(description));

        Assert.Equal(field, e.Field);
        Assert.Equal(position, e.Position);
        Assert.Contains($"'{description}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("udp://*:53")]
    [InlineData("udp:53")]
    public void ParseClientOrServer_Udp_SaysWhichKindsDescribeThatRole(string description)
    {
        var client = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient(description));
        var server = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseServer(description));

        Assert.Contains("'udp' is not a client kind; use tcp, tcp6 or tls", client.Message, StringComparison.Ordinal);
        Assert.Contains("'udp' is not a server kind; use tcp, tcp6 or tls", server.Message, StringComparison.Ordinal);
        Assert.Equal("kind", server.Field);
    }
}
