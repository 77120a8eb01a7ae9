using System.Net;
using System.Net.Security;
using CsCheck;

namespace DualStack.Tests.Descriptions;

/// <summary>format ∘ parse is the identity on generated TLS client and server endpoints, in both syntaxes.</summary>
public class TlsRoundTripProperties
{
    private static readonly Gen<IPAddress> s_address = Gen.OneOf(
        Gen.Byte.Array[4].Select(b => new IPAddress(b)),
        Gen.Byte.Array[16].Select(b => new IPAddress(b)));

    private static readonly Gen<int> s_port = Gen.Int[0, 65535];

    private static readonly Gen<string> s_label =
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 1, 12].Where(l => l[0] != '-' && l[^1] != '-');

    private static readonly Gen<string> s_hostName =
        Gen.Select(s_label.Array[0, 3], Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz"], 1, 8]).Select((labels, tld) => string.Join('.', labels.Append(tld)));

    // File names with the characters each syntax must escape: ':' and '\' (Twisted), '%', '&', '#' (URI).
    private static readonly Gen<string> s_file = Gen.String[Gen.Char["abc/._-:\\%&# é"], 1, 20].Where(f => !f.Contains(',', StringComparison.Ordinal));

    private static readonly Gen<IReadOnlyList<SslApplicationProtocol>?> s_alpn = Gen.Frequency(
        (2, Gen.Const((IReadOnlyList<SslApplicationProtocol>?)null)),
        (1, Gen.Int[0, 4].Select(i => new[] { "h2", "http/1.1", "imap", "xmpp-client", "acme-tls/1" }[i]).Array[1, 3]
            .Select(names => (IReadOnlyList<SslApplicationProtocol>?)[.. names.Select(n => new SslApplicationProtocol(n))])));

    private static readonly Gen<TimeSpan> s_handshakeTimeout = Gen.Frequency(
        (2, Gen.Const(TlsClientOptions.DefaultHandshakeTimeout)),
        (1, Gen.Int[1, 600_000].Select(ms => TimeSpan.FromMilliseconds(ms))));

    private static readonly Gen<IStreamClientEndpoint> s_innerClient = Gen.OneOf(
        Gen.Select(s_address, s_port).Select((a, p) => (IStreamClientEndpoint)new TcpClientEndpoint(a, p)),
        Gen.Select(s_hostName, s_port, Gen.Int[10, 2000]).Select((h, p, delay) => (IStreamClientEndpoint)new HostnameEndpoint(h, p) { AttemptDelay = TimeSpan.FromMilliseconds(delay) }));

    [Fact]
    public void TlsClientDescriptions_FormatThenParse_GiveAnEqualEndpoint()
    {
        var clients = Gen.Select(s_innerClient, Gen.OneOf(Gen.Const((string?)null), s_hostName.Select(h => (string?)h), s_address.Select(a => (string?)IPLiteral.FormatAddress(a))), Gen.Bool, Gen.Bool)
            .Select(Gen.Select(Gen.OneOf(Gen.Const((string?)null), s_file.Select(f => (string?)f)), s_alpn, s_handshakeTimeout), (first, second) =>
            {
                var (inner, target, race, skip) = first;
                var (roots, alpn, timeout) = second;
                var endpoint = target is null ? new TlsClientEndpoint(inner) : new TlsClientEndpoint(inner, target);
                return endpoint with
                {
                    RaceThroughHandshake = race,
                    Options = new TlsClientOptions { UnsafeSkipCertificateValidation = skip, TrustedRootsFile = roots, ApplicationProtocols = alpn, HandshakeTimeout = timeout },
                };
            });

        clients.Sample(endpoint =>
        {
            foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
            {
                string text = EndpointDescription.Format(endpoint, syntax);
                var parsed = EndpointDescription.ParseClient(text);
                Assert.Equal(endpoint, parsed);
                Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
            }
        });
    }

    [Fact]
    public void TlsServerDescriptions_FormatThenParse_GiveAnEqualEndpoint()
    {
        var inner = Gen.Select(Gen.Int[0, 2], s_address, s_port).Select((scope, address, port) => scope switch
        {
            0 => new TcpServerEndpoint(address, port),
            1 => TcpServerEndpoint.AllInterfaces(port),
            _ => TcpServerEndpoint.ForInterface("lo", port),
        });
        var servers = Gen.Select(inner, s_file, Gen.OneOf(Gen.Const((string?)null), s_file.Select(f => (string?)f)), s_alpn, s_handshakeTimeout)
            .Select((tcp, certificate, key, alpn, timeout) =>
                new TlsServerEndpoint(tcp, certificate, key) { Options = new TlsServerOptions { ApplicationProtocols = alpn, HandshakeTimeout = timeout } });

        servers.Sample(endpoint =>
        {
            foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
            {
                string text = EndpointDescription.Format(endpoint, syntax);
                var parsed = EndpointDescription.ParseServer(text);
                Assert.Equal(endpoint, parsed);
                Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
            }
        });
    }
}
