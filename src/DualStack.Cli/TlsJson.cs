using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace DualStack.Cli;

/// <summary>What a TLS connection negotiated, as the <c>tls</c> object of <c>connect --json</c> and <c>listen --json</c>.</summary>
internal static class TlsJson
{
    public static JsonObject Describe(SslStream ssl)
    {
        var certificate = ssl.RemoteCertificate as X509Certificate2;
        var protocol = ssl.NegotiatedApplicationProtocol;
        return new JsonObject
        {
            ["protocol"] = ProtocolName(ssl),
            ["cipher_suite"] = ssl.NegotiatedCipherSuite.ToString(),
            // The SNI name sent (client) or received (server); none for an address literal.
            ["server_name"] = string.IsNullOrEmpty(ssl.TargetHostName) || IPLiteral.TryParseAddress(ssl.TargetHostName, out _) ? null : ssl.TargetHostName,
            ["alpn"] = protocol.Protocol.IsEmpty ? null : protocol.ToString(),
            ["certificate_subject"] = certificate?.Subject,
            ["certificate_issuer"] = certificate?.Issuer,
        };
    }

    // "TLSv1.3", as OpenSSL names versions.
    private static string ProtocolName(SslStream ssl) => ssl.SslProtocol switch
    {
        System.Security.Authentication.SslProtocols.Tls13 => "TLSv1.3",
        System.Security.Authentication.SslProtocols.Tls12 => "TLSv1.2",
        var other => other.ToString(),
    };
}
