using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>StartTLS: upgrades an established plaintext connection to TLS in place, after an application-level exchange (SMTP's <c>STARTTLS</c>, IMAP, LDAP, XMPP).</summary>
/// <remarks>
/// <para>
/// The handshake runs over the connection's current stream; the result is a new <see cref="StreamConnection"/> over the
/// same socket, with the same endpoints and attempts, whose <see cref="StreamConnection.Stream"/> is the TLS stream. From
/// then on use only the new connection: it owns the old stream, and disposing it closes everything.
/// </para>
/// <para>
/// Read the plaintext part without reading ahead (no buffering reader over the stream): bytes read past the
/// application's "go ahead" belong to the handshake and would be lost to it. If the handshake fails, the connection is
/// closed, since a half-made handshake leaves the stream in no usable state.
/// </para>
/// </remarks>
public static class StartTlsExtensions
{
    /// <summary>Makes the TLS handshake as the client over an established connection.</summary>
    /// <param name="connection">The plaintext connection; the result takes it over.</param>
    /// <param name="targetHost">The host name (sent as SNI) or address literal the server's certificate must be valid for.</param>
    /// <param name="options">How to validate and what to offer; <see langword="null"/> for the defaults (validation on).</param>
    /// <param name="cancellationToken">Cancels the handshake; the connection is then closed.</param>
    /// <returns>The connection over TLS.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> or <paramref name="targetHost"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="targetHost"/> is neither a valid host name nor a valid literal.</exception>
    /// <exception cref="TlsHandshakeException">The handshake failed or timed out; the connection has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the connection has been closed.</exception>
    public static async ValueTask<StreamConnection> StartTlsAsClientAsync(
        this StreamConnection connection, string targetHost, TlsClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        string host = EndpointArguments.ParseHost(targetHost, out _);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var handshake = await TlsClientHandshake.CreateAsync(host, options ?? new TlsClientOptions(), cancellationToken).ConfigureAwait(false);
            var ssl = await handshake.AuthenticateAsync(connection.Stream, connection.RemoteEndPoint as IPEndPoint, cancellationToken).ConfigureAwait(false);
            return new StreamConnection(ssl, connection.Socket, connection.LocalEndPoint, connection.RemoteEndPoint) { Attempts = connection.Attempts };
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Makes the TLS handshake as the server over an established connection.</summary>
    /// <param name="connection">The plaintext connection; the result takes it over.</param>
    /// <param name="options">The certificates (chosen by SNI), ALPN and the handshake timeout.</param>
    /// <param name="cancellationToken">Cancels the handshake; the connection is then closed.</param>
    /// <returns>The connection over TLS.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> has no certificate.</exception>
    /// <exception cref="TlsHandshakeException">The handshake failed or timed out; the connection has been closed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the connection has been closed.</exception>
    public static async ValueTask<StreamConnection> StartTlsAsServerAsync(
        this StreamConnection connection, TlsServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.HasCertificate)
        {
            throw new ArgumentException("a TLS server needs a certificate: set Certificate or CertificatesByName", nameof(options));
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var handshake = new TlsServerHandshake(options, fromFiles: null, NullLogger.Instance);
            var ssl = await handshake.AuthenticateAsync(connection.Stream, connection.RemoteEndPoint as IPEndPoint, cancellationToken).ConfigureAwait(false);
            return new StreamConnection(ssl, connection.Socket, connection.LocalEndPoint, connection.RemoteEndPoint) { Attempts = connection.Attempts };
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
