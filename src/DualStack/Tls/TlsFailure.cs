using System.Security.Authentication;

namespace DualStack;

// <summary>Turns what SslStream throws into the reason a <see cref="TlsHandshakeException"/> gives.</summary>
internal static class TlsFailure
{
    public static string Describe(Exception exception) => exception switch
    {
        // OpenSSL's generic protocol error (a certificate problem would have been named): most often the bytes that came
        // back were not TLS at all (a plaintext service), else the two sides share no protocol version or cipher.
        AuthenticationException { InnerException: { } inner } when inner.Message.Contains("SSL_ERROR_SSL", StringComparison.Ordinal) =>
            "the handshake failed at the protocol level (OpenSSL: SSL_ERROR_SSL): the peer may not speak TLS on this port (a plaintext service), or may share no protocol version or cipher with this side",
        // "Authentication failed, see inner exception." says nothing by itself; the inner one says what.
        AuthenticationException { InnerException: { } inner } authentication when !string.IsNullOrEmpty(inner.Message) =>
            $"{authentication.Message.TrimEnd('.')}: {inner.Message}",
        IOException { InnerException: { } inner } io when !string.IsNullOrEmpty(inner.Message) && inner.Message != io.Message =>
            $"{io.Message.TrimEnd('.')}: {inner.Message}",
        _ => exception.Message,
    };
}
