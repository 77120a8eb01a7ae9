using System.Net;
using System.Net.Security;

namespace DualStack.Tests.Descriptions;

public class TlsDescriptionTests
{
    [Theory]
    [InlineData("tls://example.com:443", "tls://example.com:443")]
    [InlineData("tls:host=example.com:port=443", "tls://example.com:443")]
    [InlineData("tls:example.com:443", "tls://example.com:443")]
    [InlineData("tls://[::1]:8443", "tls://[::1]:8443")]
    [InlineData("tls://[fe80::1%25lo]:8443", "tls://[fe80::1%lo]:8443")]
    [InlineData("tls://192.0.2.1:443?targetHost=example.com", "tls://192.0.2.1:443?targetHost=example.com")]
    [InlineData("tls:host=192.0.2.1:port=443:targetHost=example.com", "tls://192.0.2.1:443?targetHost=example.com")]
    [InlineData("tls://example.com:443?targetHost=example.com", "tls://example.com:443")]
    [InlineData("tls://example.com:443?raceHandshake=true&attemptDelay=0.1", "tls://example.com:443?attemptDelay=0.1&raceHandshake=true")]
    [InlineData("tls://example.com:443?alpn=h2,http/1.1&handshakeTimeout=2.5&trustRoots=/etc/ca.pem",
        "tls://example.com:443?trustRoots=/etc/ca.pem&alpn=h2,http/1.1&handshakeTimeout=2.5")]
    [InlineData("tls:host=example.com:port=443:trustRoots=C\\:\\\\ca.pem", "tls://example.com:443?trustRoots=C:\\ca.pem")]
    [InlineData("tls://example.com:443?unsafeSkipCertificateValidation=true", "tls://example.com:443?unsafeSkipCertificateValidation=true")]
    public void ParseClient_GivesEndpointThatFormatsCanonically(string description, string canonical)
    {
        var endpoint = Assert.IsType<TlsClientEndpoint>(EndpointDescription.ParseClient(description));

        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(endpoint, EndpointDescription.ParseClient(canonical));
        Assert.Equal(endpoint, EndpointDescription.ParseClient(EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted)));
    }

    [Fact]
    public void ParseClient_Name_WrapsAHostnameEndpoint_TargetingTheName()
    {
        var endpoint = Assert.IsType<TlsClientEndpoint>(EndpointDescription.ParseClient("tls://example.com:443?alpn=h2&attemptDelay=0.1&raceHandshake=yes"));

        var inner = Assert.IsType<HostnameEndpoint>(endpoint.Inner);
        Assert.Equal(("example.com", 443, TimeSpan.FromMilliseconds(100)), (inner.Host, inner.Port, inner.AttemptDelay));
        Assert.Equal("example.com", endpoint.TargetHost);
        Assert.True(endpoint.RaceThroughHandshake);
        Assert.Equal([SslApplicationProtocol.Http2], endpoint.Options.ApplicationProtocols!);
        Assert.False(endpoint.Options.UnsafeSkipCertificateValidation);
    }

    [Fact]
    public void ParseClient_Literal_WrapsATcpClientEndpoint_TargetingTheLiteral()
    {
        var endpoint = Assert.IsType<TlsClientEndpoint>(EndpointDescription.ParseClient("tls:host=\\:\\:1:port=443"));

        Assert.Equal(IPAddress.IPv6Loopback, Assert.IsType<TcpClientEndpoint>(endpoint.Inner).Address);
        Assert.Equal("::1", endpoint.TargetHost);
    }

    // The tcp kind's positional rule: one positional field is the port when host= is given, and the host otherwise.
    [Theory]
    [InlineData("tls:host=example.com:1234")]
    [InlineData("tls:port=1234:example.com")]
    public void ParseClient_TwistedPositionalFields_FillHostAndPortAsForTcp(string description)
    {
        var endpoint = Assert.IsType<TlsClientEndpoint>(EndpointDescription.ParseClient(description));

        var inner = Assert.IsType<HostnameEndpoint>(endpoint.Inner);
        Assert.Equal(("example.com", 1234, "example.com"), (inner.Host, inner.Port, endpoint.TargetHost));
        Assert.Equal(EndpointRole.Client, EndpointDescription.InferRole(description));
    }

    // TLS over a HostnameEndpoint holding an IPv6 literal: the description is TLS over that address, checked for it.
    [Theory]
    [InlineData("::1", DescriptionSyntax.Uri, "tls://[::1]:443")]
    [InlineData("::1", DescriptionSyntax.Twisted, "tls:host=\\:\\:1:port=443")]
    [InlineData("fe80::1%lo", DescriptionSyntax.Uri, "tls://[fe80::1%lo]:443")]
    [InlineData("fe80::1%lo", DescriptionSyntax.Twisted, "tls:host=fe80\\:\\:1%lo:port=443")]
    public void Format_TlsOverAHostnameEndpointForAnIPv6Literal_ParsesBackToThatAddress(string host, DescriptionSyntax syntax, string expected)
    {
        var endpoint = new TlsClientEndpoint(new HostnameEndpoint(host, 443));

        string text = EndpointDescription.Format(endpoint, syntax);

        Assert.Equal(expected, text);
        var parsed = Assert.IsType<TlsClientEndpoint>(EndpointDescription.ParseClient(text));
        Assert.Equal(new TcpClientEndpoint(IPLiteral.ParseAddress(host), 443), parsed.Inner);
        Assert.Equal(endpoint.TargetHost, parsed.TargetHost);
        Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
        if (syntax == DescriptionSyntax.Uri)
        {
            Assert.Equal(text, endpoint.ToString());
        }
    }

    [Theory]
    [InlineData("tls:443:certKey=server.pem:privateKey=server.key", "tls://0.0.0.0:443?cert=server.pem&key=server.key")]
    [InlineData("tls:443:privateKey=both.pem", "tls://0.0.0.0:443?cert=both.pem")]
    [InlineData("tls:443:certKey=server.pem:privateKey=server.key:interface=\\:\\:1", "tls://[::1]:443?cert=server.pem&key=server.key")]
    [InlineData("tls:8443:interface=*:certKey=/etc/tls/server.pem:privateKey=/etc/tls/server.key:alpn=h2:handshakeTimeout=3",
        "tls://*:8443?cert=/etc/tls/server.pem&key=/etc/tls/server.key&alpn=h2&handshakeTimeout=3")]
    [InlineData("tls://*:8443?cert=server.pem&key=server.key&backlog=10&dualmode=false", "tls://*:8443?dualmode=false&backlog=10&cert=server.pem&key=server.key")]
    [InlineData("tls://lo:8443?cert=a%26b.pem", "tls://lo:8443?cert=a%26b.pem")]
    public void ParseServer_GivesEndpointThatFormatsCanonically(string description, string canonical)
    {
        var endpoint = Assert.IsType<TlsServerEndpoint>(EndpointDescription.ParseServer(description));

        Assert.Equal(canonical, endpoint.ToString());
        Assert.Equal(endpoint, EndpointDescription.ParseServer(canonical));
        Assert.Equal(endpoint, EndpointDescription.ParseServer(EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted)));
    }

    [Fact]
    public void ParseServer_UsesTwistedsNames_AndWritesThemBack()
    {
        var endpoint = Assert.IsType<TlsServerEndpoint>(EndpointDescription.ParseServer("tls:443:certKey=server.pem:privateKey=server.key"));

        Assert.Equal(("server.pem", "server.key"), (endpoint.CertificateFile, endpoint.PrivateKeyFile));
        Assert.Equal(new TcpServerEndpoint(443), endpoint.Inner);
        Assert.Equal("tls:443:certKey=server.pem:privateKey=server.key", EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted));
    }

    [Theory]
    [InlineData("tls:443:certKey=a.pem", EndpointRole.Server)]
    [InlineData("tls:host=example.com:port=443", EndpointRole.Client)]
    [InlineData("tls:example.com:443", EndpointRole.Client)]
    [InlineData("tls://*:443?cert=a.pem", EndpointRole.Server)]
    [InlineData("tls://example.com:443", EndpointRole.Client)]
    public void InferRole_ReadsTlsLikeTcp(string description, EndpointRole role) =>
        Assert.Equal(role, EndpointDescription.InferRole(description));

    [Theory]
    [InlineData("tls:443", "option 'certKey'")]
    [InlineData("tls://*:443", "option 'cert'")]
    [InlineData("tls://*:443?cert=", "option 'cert'")]
    [InlineData("tls://*:443?cert=a.pem&certKey=b.pem", "option 'certKey'")]
    [InlineData("tls:443:cert=a.pem", "option 'cert'")]
    [InlineData("tls://*:443?cert=a.pem&alpn=", "option 'alpn'")]
    [InlineData("tls://*:443?cert=a.pem&alpn=h2,,http/1.1", "option 'alpn'")]
    [InlineData("tls://*:443?cert=a.pem&handshakeTimeout=soon", "option 'handshakeTimeout'")]
    [InlineData("tls://*:443?cert=a.pem&handshakeTimeout=0", "option 'handshakeTimeout'")]
    [InlineData("tls://*:443?cert=a.pem&backlog=0", "option 'backlog'")]
    [InlineData("tls://*:99999?cert=a.pem", "port")]
    [InlineData("tls://*:443?cert=a.pem&targetHost=x", "option 'targetHost'")]
    [InlineData("tls:443:certKey=a.pem:interface=nosuchif0", "interface")]
    public void ParseServer_Malformed_NamesTheField(string description, string field)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseServer(description));

        Assert.Equal(field, e.Field);
        Assert.Equal(description, e.Input);
        Assert.Contains($"'{description}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tls://example.com:443?raceHandshake=maybe", "option 'raceHandshake'")]
    [InlineData("tls://example.com:443?unsafeSkipCertificateValidation=please", "option 'unsafeSkipCertificateValidation'")]
    [InlineData("tls://example.com:443?handshakeTimeout=-1", "option 'handshakeTimeout'")]
    [InlineData("tls://example.com:443?trustRoots=", "option 'trustRoots'")]
    [InlineData("tls://example.com:443?alpn=,", "option 'alpn'")]
    [InlineData("tls://example.com:443?cert=a.pem", "option 'cert'")]
    [InlineData("tls://example.com:443?targetHost=bad..name", "host")]
    [InlineData("tls://[::1]:443?attemptDelay=0.1", "option 'attemptDelay'")]
    [InlineData("tls://example.com:443?targetHost=[::1", "address")]
    [InlineData("tls://example.com", "port")]
    [InlineData("tls:host=example.com", "port")]
    public void ParseClient_Malformed_NamesTheField(string description, string field)
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient(description));

        Assert.Equal(field, e.Field);
        Assert.Contains($"'{description}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_UnknownOption_ListsTheTlsOptions()
    {
        var e = Assert.Throws<EndpointFormatException>(() => EndpointDescription.ParseClient("tls://example.com:443?verify=false"));

        Assert.Equal("option 'verify'", e.Field);
        Assert.Contains("'tls' takes", e.Message, StringComparison.Ordinal);
        Assert.Contains("unsafeSkipCertificateValidation", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_InMemoryCertificatesAndServices_AreNotPartOfTheDescription()
    {
        using var ca = new DualStack.Tests.Shared.TestCertificates();
        var server = new TlsServerEndpoint(TcpServerEndpoint.AllInterfaces(443), new TlsServerOptions { Certificate = ca.Root });
        var client = new TlsClientEndpoint(new HostnameEndpoint("example.com", 443)) { Options = new TlsClientOptions { TrustedRoots = ca.Roots } };

        Assert.Equal("tls://*:443", server.ToString());
        Assert.Equal("tls://example.com:443", client.ToString());
    }

    [Fact]
    public void Format_TlsOverAnEndpointWithoutDescription_IsAnArgumentError()
    {
        var nested = new TlsClientEndpoint(new TlsClientEndpoint(new HostnameEndpoint("example.com", 443)), "example.com");

        Assert.Throws<ArgumentException>(() => EndpointDescription.Format(nested, DescriptionSyntax.Uri));
    }

    // Found by fuzzing (issue #9): the Twisted splitter keeps colons inside brackets (interface=[::1]), so a value with
    // an unescaped '[' swallowed the fields after it.
    [Theory]
    [InlineData("tls://*:443?cert=server.p[em&key=server.key")]
    [InlineData("tls://*:443?cert=a]b[c&key=d[e")]
    [InlineData("tls://*:443?cert=[x]&key=y")]
    public void ParseServer_BracketInAValue_RoundTripsThroughTheTwistedSyntax(string description)
    {
        var endpoint = EndpointDescription.ParseServer(description);

        string twisted = EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted);

        Assert.Equal(endpoint, EndpointDescription.ParseServer(twisted));
    }

    [Fact]
    public void ParseClient_BracketInAValue_RoundTripsThroughTheTwistedSyntax()
    {
        var endpoint = EndpointDescription.ParseClient("tls://example.com:443?trustRoots=/ca[.pem&alpn=h2");

        string twisted = EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted);

        Assert.Equal(endpoint, EndpointDescription.ParseClient(twisted));
    }

    // Found by fuzzing (issue #9): escaping grows a value (':' becomes '\:' in the Twisted syntax, '%' becomes '%25' in
    // a URI), so a description under the length limit formatted as one over it, which the parser then refused.
    [Theory]
    [InlineData(":", 3000, "tls://*:443?cert={0}&key=k")]
    [InlineData("%", 2000, "tls:443:certKey={0}:privateKey=k")]
    [InlineData("[", 2500, "tls://*:443?cert={0}&key=k")]
    public void ParseServer_ValueThatGrowsWhenEscaped_RoundTripsInBothSyntaxes(string character, int count, string template)
    {
        var endpoint = EndpointDescription.ParseServer(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, string.Concat(Enumerable.Repeat(character, count))));

        foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
        {
            Assert.Equal(endpoint, EndpointDescription.ParseServer(EndpointDescription.Format(endpoint, syntax)));
        }
    }
}
