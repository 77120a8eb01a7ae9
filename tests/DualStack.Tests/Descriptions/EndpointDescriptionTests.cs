using System.Net;

namespace DualStack.Tests.Descriptions;

public class EndpointDescriptionTests
{
    [Theory]
    [InlineData("tcp:8080", "tcp://0.0.0.0:8080")]
    [InlineData("tcp6:8080", "tcp://[::]:8080")]
    [InlineData("tcp:8080:interface=\\:\\:1", "tcp://[::1]:8080")]
    [InlineData("tcp:port=8080:interface=[::1]", "tcp://[::1]:8080")]
    [InlineData("tcp:8080:interface=*", "tcp://*:8080")]
    [InlineData("tcp:8080:interface=*:dualmode=false", "tcp://*:8080?dualmode=false")]
    [InlineData("tcp:8080:interface=lo:backlog=50", "tcp://lo:8080?backlog=50")]
    [InlineData("tcp://*:5555", "tcp://*:5555")]
    [InlineData("tcp://lo:5555", "tcp://lo:5555")]
    [InlineData("tcp://[fe80::1%lo]:5555", "tcp://[fe80::1%lo]:5555")]
    [InlineData("tcp://[fe80::1%25lo]:5555", "tcp://[fe80::1%lo]:5555")]
    [InlineData("tcp://[fe80::1%1]:5555", "tcp://[fe80::1%lo]:5555")]
    [InlineData("tcp://0.0.0.0:1/", "tcp://0.0.0.0:1")]
    [InlineData("tcp:80:interface=[::1]:backlog=5", "tcp://[::1]:80?backlog=5")]
    public void ParseServer_GivesEndpointThatFormatsCanonically(string description, string canonical)
    {
        var endpoint = EndpointDescription.ParseServer(description);

        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(endpoint, EndpointDescription.ParseServer(canonical));
        Assert.Equal(endpoint, EndpointDescription.ParseServer(EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted)));
    }

    [Fact]
    public void ParseServer_DefaultInterface_IsIPv4AnyForTcpAndIPv6AnyForTcp6()
    {
        var tcp = Assert.IsType<TcpServerEndpoint>(EndpointDescription.ParseServer("tcp:80"));
        var tcp6 = Assert.IsType<TcpServerEndpoint>(EndpointDescription.ParseServer("tcp6:80"));

        Assert.Equal((ListenScope.Address, IPAddress.Any), (tcp.Scope, tcp.Address));
        Assert.Equal((ListenScope.Address, IPAddress.IPv6Any), (tcp6.Scope, tcp6.Address));
    }

    [Fact]
    public void ParseServer_InterfaceName_ListensOnThatInterface()
    {
        var endpoint = Assert.IsType<TcpServerEndpoint>(EndpointDescription.ParseServer("tcp://lo:0"));

        Assert.Equal(ListenScope.Interface, endpoint.Scope);
        Assert.Equal("lo", endpoint.InterfaceName);
    }

    [Theory]
    [InlineData("tcp://[::1]:5555", typeof(TcpClientEndpoint), "tcp://[::1]:5555")]
    [InlineData("tcp://192.0.2.1:80?timeout=2.5", typeof(TcpClientEndpoint), "tcp://192.0.2.1:80?timeout=2.5")]
    [InlineData("tcp://example.com:443", typeof(HostnameEndpoint), "tcp://example.com:443")]
    [InlineData("tcp://bücher.example:443", typeof(HostnameEndpoint), "tcp://xn--bcher-kva.example:443")]
    [InlineData("tcp:host=example.com:port=443", typeof(HostnameEndpoint), "tcp://example.com:443")]
    [InlineData("tcp:example.com:443", typeof(HostnameEndpoint), "tcp://example.com:443")]
    [InlineData("tcp:host=\\:\\:1:port=22:bind=\\:\\:1", typeof(TcpClientEndpoint), "tcp://[::1]:22?bind=::1")]
    [InlineData("tcp:host=192.0.2.1:port=22:bindAddress=192.0.2.2\\:4000", typeof(TcpClientEndpoint), "tcp://192.0.2.1:22?bind=192.0.2.2:4000")]
    [InlineData("tcp://[fe80::1%lo]:22?bind=[fe80::2%25lo]:0", typeof(TcpClientEndpoint), "tcp://[fe80::1%lo]:22?bind=fe80::2%25lo")]
    [InlineData("tcp://example.com:443?policy=sequential&attemptDelay=0.1&resolutionDelay=0&family=6&preferredFamily=4&firstAddressFamilyCount=2&maxConcurrentAttempts=3",
        typeof(HostnameEndpoint), "tcp://example.com:443?attemptDelay=0.1&resolutionDelay=0&family=6&preferredFamily=4&firstAddressFamilyCount=2&maxConcurrentAttempts=3&policy=sequential")]
    [InlineData("tcp:host=example.com:port=443:attemptDelay=2", typeof(HostnameEndpoint), "tcp://example.com:443?attemptDelay=2")]
    [InlineData("tcp://example.com:443?synthesizeNat64=no", typeof(HostnameEndpoint), "tcp://example.com:443?synthesizeNat64=false")]
    [InlineData("tcp://192.0.2.1:80?synthesizeNat64=false", typeof(TcpClientEndpoint), "tcp://192.0.2.1:80?synthesizeNat64=false")]
    [InlineData("tcp://192.0.2.1:80?synthesizeNat64=true", typeof(TcpClientEndpoint), "tcp://192.0.2.1:80")]
    public void ParseClient_GivesEndpointThatFormatsCanonically(string description, Type type, string canonical)
    {
        var endpoint = EndpointDescription.ParseClient(description);

        Assert.IsType(type, endpoint);
        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(endpoint, EndpointDescription.ParseClient(canonical));
        Assert.Equal(endpoint, EndpointDescription.ParseClient(EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted)));
    }

    // Twisted's rule for its tcp (and ssl) clients: two positional fields are the host and the port; one is the port
    // when host= is given, and the host otherwise.
    [Theory]
    [InlineData("tcp:example.com:1234")]
    [InlineData("tcp:host=example.com:1234")]
    [InlineData("tcp:1234:host=example.com")]
    [InlineData("tcp:port=1234:example.com")]
    [InlineData("tcp:example.com:port=1234")]
    [InlineData("tcp:host=example.com:port=1234")]
    public void ParseClient_TwistedPositionalFields_FillHostAndPortAsTwistedDoes(string description)
    {
        var endpoint = Assert.IsType<HostnameEndpoint>(EndpointDescription.ParseClient(description));

        Assert.Equal(("example.com", 1234), (endpoint.Host, endpoint.Port));
        Assert.Equal(EndpointRole.Client, EndpointDescription.InferRole(description));
    }

    // Where Twisted lets a positional field silently replace a keyword, a field given both ways is refused.
    [Theory]
    [InlineData("tcp:example.com:443:host=x", "host")]
    [InlineData("tcp:host=x:example.com:443", "host")]
    [InlineData("tcp:host=example.com:port=443:444", "port")]
    [InlineData("tcp:443:host=example.com:port=444", "port")]
    public void ParseClient_FieldGivenAsPositionalAndKeyword_IsGivenTwice(string description, string field)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient(description));

        Assert.Equal(field, e.Field);
        Assert.Contains($"the {field} is given twice", e.Message, StringComparison.Ordinal);
    }

    // A HostnameEndpoint may hold an address literal. Its description is that address's, which parses to the
    // TcpClientEndpoint for the same address and port, as every description of an address does.
    [Theory]
    [InlineData("::1", DescriptionSyntax.Uri, "tcp://[::1]:22")]
    [InlineData("::1", DescriptionSyntax.Twisted, "tcp:host=\\:\\:1:port=22")]
    [InlineData("fe80::1%lo", DescriptionSyntax.Uri, "tcp://[fe80::1%lo]:22")]
    [InlineData("fe80::1%lo", DescriptionSyntax.Twisted, "tcp:host=fe80\\:\\:1%lo:port=22")]
    [InlineData("192.0.2.1", DescriptionSyntax.Uri, "tcp://192.0.2.1:22")]
    public void Format_HostnameEndpointForAnAddressLiteral_ParsesBackToThatAddress(string host, DescriptionSyntax syntax, string expected)
    {
        var endpoint = new HostnameEndpoint(host, 22);

        string text = EndpointDescription.Format(endpoint, syntax);

        Assert.Equal(expected, text);
        var parsed = Assert.IsType<TcpClientEndpoint>(EndpointDescription.ParseClient(text));
        Assert.Equal(new TcpClientEndpoint(IPLiteral.ParseAddress(host), 22), parsed);
        Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
        if (syntax == DescriptionSyntax.Uri)
        {
            Assert.Equal(text, endpoint.ToString());
        }
    }

    [Theory]
    [InlineData("tcp:8080", EndpointRole.Server)]
    [InlineData("tcp:host=example.com:port=1", EndpointRole.Client)]
    [InlineData("tcp:example.com:1", EndpointRole.Client)]
    [InlineData("tcp://*:1", EndpointRole.Server)]
    [InlineData("tcp://lo:1", EndpointRole.Server)]
    [InlineData("tcp://[::]:1", EndpointRole.Server)]
    [InlineData("tcp://[::1]:1", EndpointRole.Client)]
    [InlineData("tcp://example.com:1", EndpointRole.Client)]
    public void InferRole_FollowsTheDocumentedRule(string description, EndpointRole role)
    {
        Assert.Equal(role, EndpointDescription.InferRole(description));
    }

    [Theory]
    [InlineData("", "description", -1)]
    [InlineData("8080", "kind", 0)]
    [InlineData("foo:8080", "kind", 0)]
    [InlineData("tcp:", "port", 4)]
    [InlineData("tcp:80:81", "description", 7)]
    [InlineData("tcp:80:port=81", "port", 7)]
    [InlineData("tcp:65536", "port", 4)]
    [InlineData("tcp:http", "port", 4)]
    [InlineData("tcp:80:interface=nosuchif0", "interface", 7)]
    [InlineData("tcp:80:interface=", "interface", 7)]
    [InlineData("tcp:80:color=blue", "option 'color'", 7)]
    [InlineData("tcp:80:backlog=1:backlog=2", "option 'backlog'", 17)]
    [InlineData("tcp:80:backlog=0", "option 'backlog'", 7)]
    [InlineData("tcp:80:interface=lo:dualmode=false", "option 'dualmode'", 20)]
    [InlineData("tcp:80:interface=*:dualmode=maybe", "option 'dualmode'", 19)]
    [InlineData("tcp6:80:interface=127.0.0.1", "interface", 8)]
    [InlineData("tcp6:80:interface=*", "interface", 8)]
    [InlineData("tcp:80\\", "description", 6)]
    [InlineData("tcp:80:=x", "option", 7)]
    [InlineData("tcp://[::1:80", "address", 6)]
    [InlineData("tcp://::1:80", "address", 6)]
    [InlineData("tcp://:80", "host", 6)]
    [InlineData("tcp://*", "port", 7)]
    [InlineData("tcp://*:80/path", "path", 10)]
    [InlineData("tcp://u@*:80", "host", 6)]
    [InlineData("tcp://*:80?backlog", "option", 11)]
    [InlineData("tcp://*:80?port=1", "option 'port'", 11)]
    [InlineData("tcp://[fe80::1%nosuchif0]:80", "zone", 15)]
    [InlineData("tcp://[fe80::1%]:80", "zone", 15)]
    [InlineData("tcp://1.2.3.256:80", "address", 12)]
    [InlineData("tcp:80:=x=y", "option", 7)]
    [InlineData("tcp://[::1]x80", "address", 11)]
    [InlineData("tcp://[::1]", "port", 11)]
    [InlineData("tcp://localhost", "port", 15)]
    [InlineData("tcp://localhost:http", "port", 16)]
    [InlineData("tcp://*:80?=x", "option", 11)]
    [InlineData("tcp://*:80?backlog=1&color=blue", "option 'color'", 21)]
    public void ParseServer_Malformed_ThrowsNamingFieldAndPosition(string description, string field, int position)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseServer(description));

        Assert.Equal(field, e.Field);
        Assert.Equal(position, e.Position);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason), "every error says what is wrong");
        Assert.Contains($"'{description}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp:host=example.com", "port")]
    [InlineData("tcp:port=80", "host")]
    [InlineData("tcp:a:1:2", "description")]
    [InlineData("tcp6:host=::1:port=1", "kind")]
    [InlineData("tcp://example..com:80", "host")]
    [InlineData("tcp://1.2.3:80", "address")]
    [InlineData("tcp://example.com:80?timeout=-1", "option 'timeout'")]
    [InlineData("tcp://example.com:80?timeout=abc", "option 'timeout'")]
    [InlineData("tcp://example.com:80?backlog=5", "option 'backlog'")]
    [InlineData("tcp://[::1]:80?bind=127.0.0.1", "option 'bind'")]
    [InlineData("tcp://[::1]:80?bind=[::1", "address")]
    [InlineData("tcp://[::1]:80?attemptDelay=0.1", "option 'attemptDelay'")]
    [InlineData("tcp://example.com:80?attemptDelay=0.001", "option 'attemptDelay'")]
    [InlineData("tcp://example.com:80?attemptDelay=3", "option 'attemptDelay'")]
    [InlineData("tcp://example.com:80?family=5", "option 'family'")]
    [InlineData("tcp://example.com:80?policy=fast", "option 'policy'")]
    [InlineData("tcp://example.com:80?maxConcurrentAttempts=0", "option 'maxConcurrentAttempts'")]
    public void ParseClient_Malformed_ThrowsNamingField(string description, string field)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient(description));

        Assert.Equal(field, e.Field);
    }

    // RFC 6874 section 2: in a URI, the zone after "%25" may itself be percent-encoded; %25%6c%6f is the zone "lo".
    [Theory]
    [InlineData("tcp://[fe80::1%25%6c%6f]:8080")]
    [InlineData("tcp://[fe80::1%25l%6F]:8080")]
    [InlineData("tcp://[fe80::1%25%31]:8080")]
    public void Parse_UriZonePercentEncoded_IsDecoded(string description)
    {
        var lo = IPLiteral.ParseAddress("fe80::1%lo");

        var server = Assert.IsType<TcpServerEndpoint>(EndpointDescription.ParseServer(description));
        var client = Assert.IsType<TcpClientEndpoint>(EndpointDescription.ParseClient(description));
        var datagram = EndpointDescription.ParseDatagram("udp" + description[3..]);

        Assert.Equal(new TcpServerEndpoint(lo, 8080), server);
        Assert.Equal(new TcpClientEndpoint(lo, 8080), client);
        Assert.Equal(new UdpEndpoint(lo, 8080), datagram);
        Assert.Equal("tcp://[fe80::1%lo]:8080", client.ToString());
    }

    [Theory]
    [InlineData("tcp://[fe80::1%25lo%2]:80", 19, "'%2'")]
    [InlineData("tcp://[fe80::1%25%zz]:80", 17, "'%zz'")]
    [InlineData("tcp://[fe80::1%25%6]:80", 17, "'%6'")]
    public void Parse_UriZoneWithAnInvalidPercentEncoding_NamesTheZoneAndTheEncoding(string description, int position, string quoted)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseServer(description));

        Assert.Equal(("zone", position), (e.Field, e.Position));
        Assert.Contains(quoted, e.Message, StringComparison.Ordinal);
        Assert.Contains("percent-encoded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UriZoneHoldingAnEncodedPercent_SaysSo()
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseServer("tcp://[fe80::1%25lo%25x]:80"));

        Assert.Equal(("zone", 17), (e.Field, e.Position));
        Assert.Contains("the zone 'lo%x' holds a '%'", e.Message, StringComparison.Ordinal);
    }

    // Only the URI form decodes: a bare literal's zone is taken as written, in code and in the Twisted syntax.
    [Theory]
    [InlineData("fe80::1%6c%6f")]
    [InlineData("fe80::1%25%6c%6f")]
    public void ParseAddress_BareLiteral_DoesNotDecodeItsZone(string literal)
    {
        Assert.Throws<EndpointFormatException>(() => IPLiteral.ParseAddress(literal));
        Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient($"tcp:host={literal.Replace(":", "\\:", StringComparison.Ordinal)}:port=80"));
    }

    // The choices docs/descriptions.md lists as stricter than other libraries.
    [Theory]
    [InlineData("tcp://[::ffff:192.0.2.1%lo]:80", "zone")]
    [InlineData("tcp://example.com:http", "port")]
    [InlineData("tcp:host=example.com:port=http", "port")]
    [InlineData("tcp://*:*", "port")]
    [InlineData("tcp:example.com:443:host=other.example", "host")]
    public void Parse_WhereDescriptionsAreStricterThanOtherLibraries_Refuses(string description, string field)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient(description));

        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Parse_OversizedDescription_IsRejectedBeforeParsing()
    {
        string huge = "tcp://" + new string('a', 70_000) + ":1";

        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient(huge));

        Assert.Equal("description", e.Field);
        Assert.Contains("at most 65536", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp://{0}:1", "host")]
    [InlineData("tcp:host={0}:port=1", "option 'host'")]
    [InlineData("tls://*:443?cert={0}", "option 'cert'")]
    [InlineData("tcp:{0}", "field")]
    public void Parse_ValueOver4096Characters_IsRejectedNamingIt(string template, string field)
    {
        string description = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, new string('a', 4097));

        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseServer(description));

        Assert.Equal(field, e.Field);
        Assert.Contains("at most 4096", e.Message, StringComparison.Ordinal);
    }
}
