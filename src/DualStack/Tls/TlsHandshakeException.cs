using System.Net;
using System.Net.Security;
using DualStack.Diagnostics;

namespace DualStack;

/// <summary>
/// A TLS handshake failed: the peer's certificate was not accepted, the peer spoke no TLS or broke off, or the
/// handshake timed out. The connection has been closed.
/// </summary>
/// <remarks>
/// The message names the host the certificate was checked against, the address the connection went to, and the
/// reason (<c>TLS handshake with example.com at [2001:db8::1]:443 failed: the certificate is not valid for
/// 'example.com' (it names www.example.org)</c>).
/// </remarks>
public sealed class TlsHandshakeException : IOException, IHasErrorType
{
    /// <summary>Creates the exception.</summary>
    /// <param name="host">The host name (or address literal) the handshake was for; on a server, the client's name for itself is unknown, so its address.</param>
    /// <param name="remoteEndPoint">The address of the peer, if known.</param>
    /// <param name="reason">What went wrong, for the message.</param>
    /// <param name="policyErrors">What certificate validation found wrong; <see cref="SslPolicyErrors.None"/> when the failure was not about the certificate.</param>
    /// <param name="innerException">The cause: an <see cref="System.Security.Authentication.AuthenticationException"/>, an <see cref="IOException"/> from the transport, or a <see cref="TimeoutException"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> or <paramref name="reason"/> is <see langword="null"/>.</exception>
    public TlsHandshakeException(string host, IPEndPoint? remoteEndPoint, string reason, SslPolicyErrors policyErrors, Exception? innerException)
        : base(BuildMessage(host, remoteEndPoint, reason), innerException)
    {
        Host = host;
        RemoteEndPoint = remoteEndPoint;
        Reason = reason;
        PolicyErrors = policyErrors;
    }

    /// <summary>The host name (or address literal) that the certificate was checked against.</summary>
    public string Host { get; }

    /// <summary>The address the connection went to, zone included; <see langword="null"/> when unknown.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>What went wrong.</summary>
    public string Reason { get; }

    /// <summary>What certificate validation found wrong; <see cref="SslPolicyErrors.None"/> for failures that were not about the certificate.</summary>
    public SslPolicyErrors PolicyErrors { get; }

    /// <summary>Whether the handshake did not complete within its timeout.</summary>
    public bool TimedOut => InnerException is TimeoutException;

    private static string BuildMessage(string host, IPEndPoint? remoteEndPoint, string reason)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(reason);
        string at = remoteEndPoint is null ? string.Empty : $" at {IPLiteral.FormatEndPoint(IPLiteral.Unmap(remoteEndPoint))}";
        return $"TLS handshake with {host}{at} failed: {reason}";
    }

    // <inheritdoc />
    string IHasErrorType.ErrorType => "tls_handshake_failed";
}
