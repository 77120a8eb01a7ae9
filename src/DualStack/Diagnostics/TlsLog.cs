using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace DualStack.Diagnostics;

// Event ids are public API: never reuse one (docs/diagnostics.md lists them). TLS events start at 200.
// Failed and timed-out handshakes are Debug, as Kestrel logs them: scanners and health checks make them common,
// and each one is the client's problem, not the server's.
internal static partial class TlsLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "TLS handshake with {RemoteEndPoint} failed; the connection was closed")]
    public static partial void HandshakeFailed(ILogger logger, EndPoint? remoteEndPoint, Exception exception);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "TLS handshake with {RemoteEndPoint} did not complete within {TimeoutMilliseconds} ms; the connection was closed")]
    public static partial void HandshakeTimedOut(ILogger logger, EndPoint? remoteEndPoint, double timeoutMilliseconds);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "TLS handshake with {RemoteEndPoint} completed: {SslProtocol} {CipherSuite}, server name '{ServerName}', application protocol '{ApplicationProtocol}'")]
    public static partial void HandshakeCompleted(ILogger logger, EndPoint? remoteEndPoint, SslProtocols sslProtocol, TlsCipherSuite cipherSuite, string serverName, SslApplicationProtocol applicationProtocol);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "No certificate for server name '{ServerName}'; the default certificate was offered")]
    public static partial void NoCertificateForServerName(ILogger logger, string serverName);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "Accepting from the listener under TLS failed; the TLS listener accepts no more connections")]
    public static partial void InnerAcceptFailed(ILogger logger, Exception exception);
}
