using System.Net.Security;
using System.Text;
using static DualStack.DescriptionFields;

namespace DualStack;

// <summary>
// <c>tls</c> descriptions: TLS over a TCP description, with the TCP kind's fields and options plus TLS's own.
// </summary>
// <remarks>
// Clients: <c>tls:host=H:port=P[:targetHost=N][:trustRoots=FILE][:alpn=h2,http/1.1][:handshakeTimeout=S][:raceHandshake=true][:unsafeSkipCertificateValidation=true]</c>
// (or <c>tls:H:P</c>, <c>tls:host=H:P</c>, <c>tls:port=P:H</c>), <c>tls://H:P[?…]</c>, taking every <c>tcp</c> client option too. Servers (Twisted's names in
// Twisted style): <c>tls:PORT:certKey=FILE:privateKey=FILE[:interface=…]</c>, <c>tls://*:PORT?cert=FILE&amp;key=FILE</c>,
// with <c>alpn</c>, <c>handshakeTimeout</c> and every <c>tcp</c> server option. The TLS fields are taken off and the rest
// is parsed by the TCP kind, positions unchanged, so that every error still points into the text as written.
// </remarks>
internal sealed class TlsDescriptionKind : IDescriptionKind
{
    private const string TargetHost = "targetHost";
    private const string TrustRoots = "trustRoots";
    private const string UnsafeSkip = "unsafeSkipCertificateValidation";
    private const string Alpn = "alpn";
    private const string HandshakeTimeout = "handshakeTimeout";
    private const string RaceHandshake = "raceHandshake";

    private static readonly string[] s_clientKeys = [TargetHost, TrustRoots, UnsafeSkip, Alpn, HandshakeTimeout, RaceHandshake];

    public static TlsDescriptionKind Instance { get; } = new();

    public IReadOnlyList<string> Names { get; } = ["tls"];

    public EndpointRole InferRole(DescriptionParts parts) =>
        TcpDescriptionKind.Instance.InferRole(parts.As("tcp", [.. s_clientKeys, .. ServerKeys(parts.Syntax)]));

    public IReadOnlyList<EndpointRole> Roles { get; } = [EndpointRole.Client, EndpointRole.Server];

    public object Parse(DescriptionParts parts, EndpointRole role) => role == EndpointRole.Client ? ParseClient(parts) : ParseServer(parts);

    public string? Format(object endpoint, DescriptionSyntax syntax) => endpoint switch
    {
        TlsClientEndpoint client => FormatClient(client, syntax),
        TlsServerEndpoint server => FormatServer(server, syntax),
        _ => null,
    };

    private static TlsClientEndpoint ParseClient(DescriptionParts parts)
    {
        RejectUnknown(parts, [.. TcpDescriptionKind.ClientKeys(parts.Syntax), .. s_clientKeys]);
        var inner = TcpDescriptionKind.ParseClient(parts.As("tcp", s_clientKeys));
        string host = parts.Keyword(TargetHost) is { } target ? Host(parts, target) : TlsClientEndpoint.DefaultTargetHost(inner)!;
        var options = new TlsClientOptions();
        bool race = false;
        foreach (var field in parts.Keywords)
        {
            switch (field.Key)
            {
                case TrustRoots:
                    options = options with { TrustedRootsFile = File(parts, field) };
                    break;
                case UnsafeSkip:
                    options = options with { UnsafeSkipCertificateValidation = Bool(parts, field) };
                    break;
                case Alpn:
                    options = options with { ApplicationProtocols = Protocols(parts, field) };
                    break;
                case HandshakeTimeout:
                    options = options with { HandshakeTimeout = Seconds(parts, field) };
                    break;
                case RaceHandshake:
                    race = Bool(parts, field);
                    break;
            }
        }

        return new TlsClientEndpoint(inner, host) { Options = options, RaceThroughHandshake = race };
    }

    private static TlsServerEndpoint ParseServer(DescriptionParts parts)
    {
        var keys = ServerKeys(parts.Syntax);
        RejectUnknown(parts, [.. TcpDescriptionKind.ServerKeys(parts.Syntax), .. keys]);
        var inner = TcpDescriptionKind.ParseServer(parts.As("tcp", keys));
        var (certificateKey, privateKeyKey) = FileKeys(parts.Syntax);
        var certificate = parts.Keyword(certificateKey);
        var privateKey = parts.Keyword(privateKeyKey);
        if (certificate is null && privateKey is null)
        {
            throw parts.Error(
                $"option '{certificateKey}'",
                $"a TLS server needs its certificate: {certificateKey}=FILE, and {privateKeyKey}=FILE unless the key is in the same PEM file",
                parts.Input.Length);
        }

        // Twisted's rule: with privateKey alone, the certificate is in the same file.
        string certificateFile = File(parts, certificate ?? privateKey!.Value);
        string? privateKeyFile = certificate is not null && privateKey is { } keyField ? File(parts, keyField) : null;
        var options = new TlsServerOptions();
        if (parts.Keyword(Alpn) is { } alpn)
        {
            options = options with { ApplicationProtocols = Protocols(parts, alpn) };
        }

        if (parts.Keyword(HandshakeTimeout) is { } timeout)
        {
            options = options with { HandshakeTimeout = Seconds(parts, timeout) };
        }

        return new TlsServerEndpoint(inner, certificateFile, privateKeyFile) { Options = options };
    }

    private static string FormatClient(TlsClientEndpoint endpoint, DescriptionSyntax syntax)
    {
        if (endpoint.Inner is not (TcpClientEndpoint or HostnameEndpoint))
        {
            throw new ArgumentException($"TLS over {endpoint.Inner.GetType().Name} has no description", nameof(endpoint));
        }

        var options = new List<(string, string)>();
        if (endpoint.TargetHost != TlsClientEndpoint.DefaultTargetHost(endpoint.Inner))
        {
            options.Add((TargetHost, endpoint.TargetHost));
        }

        var tls = endpoint.Options;
        if (tls.TrustedRootsFile is { } roots)
        {
            options.Add((TrustRoots, roots));
        }

        if (tls.UnsafeSkipCertificateValidation)
        {
            options.Add((UnsafeSkip, "true"));
        }

        if (tls.ApplicationProtocols is { Count: > 0 } protocols)
        {
            options.Add((Alpn, TlsProtocols.Format(protocols)));
        }

        if (tls.HandshakeTimeout != TlsClientOptions.DefaultHandshakeTimeout)
        {
            options.Add((HandshakeTimeout, FormatSeconds(tls.HandshakeTimeout)));
        }

        if (endpoint.RaceThroughHandshake)
        {
            options.Add((RaceHandshake, "true"));
        }

        return Wrap(TcpDescriptionKind.Instance.Format(endpoint.Inner, syntax)!, options, syntax);
    }

    private static string FormatServer(TlsServerEndpoint endpoint, DescriptionSyntax syntax)
    {
        if (endpoint.Inner is not TcpServerEndpoint tcp)
        {
            throw new ArgumentException($"TLS over {endpoint.Inner.GetType().Name} has no description", nameof(endpoint));
        }

        var (certificateKey, privateKeyKey) = FileKeys(syntax);
        var options = new List<(string, string)>();
        if (endpoint.CertificateFile is { } certificate)
        {
            options.Add((certificateKey, certificate));
        }

        if (endpoint.PrivateKeyFile is { } privateKey)
        {
            options.Add((privateKeyKey, privateKey));
        }

        if (endpoint.Options.ApplicationProtocols is { Count: > 0 } protocols)
        {
            options.Add((Alpn, TlsProtocols.Format(protocols)));
        }

        if (endpoint.Options.HandshakeTimeout != TlsClientOptions.DefaultHandshakeTimeout)
        {
            options.Add((HandshakeTimeout, FormatSeconds(endpoint.Options.HandshakeTimeout)));
        }

        return Wrap(TcpDescriptionKind.Instance.Format(tcp, syntax)!, options, syntax);
    }

    private static string[] ServerKeys(DescriptionSyntax syntax)
    {
        var (certificate, privateKey) = FileKeys(syntax);
        return [certificate, privateKey, Alpn, HandshakeTimeout];
    }

    // Twisted's names in Twisted style (its ssl: servers take certKey= and privateKey=); short ones in URI queries.
    private static (string Certificate, string PrivateKey) FileKeys(DescriptionSyntax syntax) =>
        syntax == DescriptionSyntax.Uri ? ("cert", "key") : ("certKey", "privateKey");

    // "tcp://…" becomes "tls://…" and "tcp:…" "tls:…"; TLS's options follow the TCP ones.
    private static string Wrap(string tcp, List<(string Key, string Value)> options, DescriptionSyntax syntax)
    {
        var text = new StringBuilder("tls").Append(tcp.AsSpan(3));
        bool query = tcp.Contains('?', StringComparison.Ordinal);
        foreach (var (key, value) in options)
        {
            if (syntax == DescriptionSyntax.Uri)
            {
                text.Append(query ? '&' : '?').Append(key).Append('=').Append(EscapeQuery(value));
                query = true;
            }
            else
            {
                text.Append(':').Append(key).Append('=').Append(Escape(value));
            }
        }

        return text.ToString();
    }

    private static string Host(DescriptionParts parts, DescriptionParts.Field field) =>
        TryAddress(parts, field) is { } address ? IPLiteral.FormatAddress(address) : HostName(parts, field);

    private static string File(DescriptionParts parts, DescriptionParts.Field field) =>
        field.Value.Length > 0 ? field.Value : throw parts.Error($"option '{field.Key}'", "the file name is empty", field.Position);

    private static List<SslApplicationProtocol> Protocols(DescriptionParts parts, DescriptionParts.Field field)
    {
        var protocols = new List<SslApplicationProtocol>();
        foreach (string name in field.Value.Split(','))
        {
            // ALPN protocol names are 1-255 bytes (RFC 7301 section 3.1).
            int length = Encoding.UTF8.GetByteCount(name);
            if (length is 0 or > 255)
            {
                throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is not a comma-separated list of protocol names of 1 to 255 bytes", field.Position);
            }

            protocols.Add(new SslApplicationProtocol(name));
        }

        return protocols;
    }
}
