using System.Security.Authentication;

namespace DualStack;

// <summary>Turns what SslStream throws into the reason a <see cref="TlsHandshakeException"/> gives.</summary>
internal static class TlsFailure
{
    public static string Describe(Exception exception) => exception switch
    {
        // "Authentication failed, see inner exception." says nothing by itself; the inner one says what.
        AuthenticationException { InnerException: { } inner } authentication when !string.IsNullOrEmpty(inner.Message) =>
            $"{authentication.Message.TrimEnd('.')}: {inner.Message}",
        IOException { InnerException: { } inner } io when !string.IsNullOrEmpty(inner.Message) && inner.Message != io.Message =>
            $"{io.Message.TrimEnd('.')}: {inner.Message}",
        _ => exception.Message,
    };
}
