using System.Net;
using System.Net.Security;

namespace DualStack;

/// <summary>TLS over any stream client endpoint: connects with the inner endpoint, then makes a TLS handshake as the client.</summary>
/// <remarks>
/// <para>
/// The certificate is checked against <see cref="TargetHost"/>, the name the caller asked for, never against the address
/// that won a race: <c>new TlsClientEndpoint(new HostnameEndpoint("example.com", 443))</c> sends SNI
/// <c>example.com</c> and wants a certificate for <c>example.com</c> whether IPv6 or IPv4 connected. An address-literal
/// target sends no SNI and must be in the certificate's IP address entries. Validation is on unless
/// <see cref="TlsClientOptions.UnsafeSkipCertificateValidation"/> says otherwise.
/// </para>
/// <para>
/// By default the inner endpoint connects first and the handshake follows; a handshake that fails fails the connect.
/// With <see cref="RaceThroughHandshake"/> and an inner endpoint that races (an <see cref="IRacingClientEndpoint"/>, such
/// as <see cref="HostnameEndpoint"/>), each attempt of the race makes its
/// own handshake and the first to complete one wins, so an address family where TCP connects but TLS stalls (a broken
/// middlebox, a server that accepts and never answers) loses to one where TLS works.
/// </para>
/// <para>
/// The connection's <see cref="StreamConnection.Stream"/> is the <see cref="SslStream"/>; its socket, endpoints and
/// <see cref="StreamConnection.Attempts"/> are those of the inner connection. A failed handshake closes the connection
/// and throws <see cref="TlsHandshakeException"/>.
/// </para>
/// </remarks>
public sealed record TlsClientEndpoint : IStreamClientEndpoint
{
    /// <summary>Wraps <paramref name="inner"/>; the target host is its host.</summary>
    /// <param name="inner">A <see cref="HostnameEndpoint"/> or <see cref="TcpClientEndpoint"/>, whose <c>Host</c> becomes <see cref="TargetHost"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="inner"/> has no host name to check the certificate against; use the other constructor.</exception>
    public TlsClientEndpoint(IStreamClientEndpoint inner)
        : this(inner, HostOf(inner))
    {
    }

    /// <summary>Wraps <paramref name="inner"/>, checking the server's certificate against <paramref name="targetHost"/>.</summary>
    /// <param name="inner">Any stream client endpoint.</param>
    /// <param name="targetHost">The host name (sent as SNI) or address literal the certificate must be valid for.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="targetHost"/> is neither a valid host name nor a valid literal.</exception>
    public TlsClientEndpoint(IStreamClientEndpoint inner, string targetHost)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        TargetHost = EndpointArguments.ParseHost(targetHost, out _);
    }

    /// <summary>The endpoint that makes the connection the handshake runs over.</summary>
    public IStreamClientEndpoint Inner { get; }

    /// <summary>The name sent as SNI and checked against the certificate (an address literal: no SNI, checked against IP entries).</summary>
    public string TargetHost { get; }

    /// <summary>How the handshake is made and the certificate checked.</summary>
    /// <remarks>Defaults to a new <see cref="TlsClientOptions"/>: validation against the system's roots, no ALPN, a 10 s handshake timeout.</remarks>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TlsClientOptions Options
    {
        get => field;
        init => field = value ?? throw new ArgumentNullException(nameof(Options));
    } = new();

    /// <summary>Whether an attempt of the inner endpoint's race (an <see cref="IRacingClientEndpoint"/>) wins only once its TLS handshake has completed.</summary>
    /// <remarks>
    /// Defaults to <see langword="false"/>: the first TCP connection wins and the handshake follows on it alone. When
    /// <see langword="true"/>, attempts keep starting every attempt delay until one completes its handshake; a failed
    /// handshake fails its attempt and the next starts at once, and losers' streams and sockets are closed. Has no effect
    /// over endpoints that do not race, which make one connection.
    /// </remarks>
    public bool RaceThroughHandshake { get; init; }

    /// <inheritdoc />
    /// <exception cref="TlsHandshakeException">The handshake failed or timed out; the connection has been closed.</exception>
    /// <exception cref="ConnectionRaceException">
    /// Every attempt failed (with <see cref="RaceThroughHandshake"/>: attempts whose handshake failed carry their
    /// <see cref="TlsHandshakeException"/> as <see cref="ConnectionAttempt.Error"/>).
    /// </exception>
    /// <exception cref="IOException"><see cref="TlsClientOptions.TrustedRootsFile"/> cannot be read; nothing was connected.</exception>
    public async ValueTask<StreamConnection> ConnectAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var handshake = await TlsClientHandshake.CreateAsync(TargetHost, Options, cancellationToken).ConfigureAwait(false);
        if (RaceThroughHandshake && Inner is IRacingClientEndpoint racing)
        {
            return await racing.ConnectAsync(
                async (connection, token) => await handshake.AuthenticateAsync(connection.Stream, connection.RemoteEndPoint as IPEndPoint, token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }

        var connection = await Inner.ConnectAsync(cancellationToken).ConfigureAwait(false);
        SslStream ssl;
        try
        {
            ssl = await handshake.AuthenticateAsync(connection.Stream, connection.RemoteEndPoint as IPEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new StreamConnection(ssl, connection.Socket, connection.LocalEndPoint, connection.RemoteEndPoint) { Attempts = connection.Attempts };
    }

    /// <summary>The endpoint's URI-style description, such as <c>tls://example.com:443</c>.</summary>
    public override string ToString() => EndpointText.Of(this);

    // <summary>The target host an endpoint stands for by default: the host of a hostname or TCP endpoint.</summary>
    internal static string? DefaultTargetHost(IStreamClientEndpoint inner) => inner switch
    {
        HostnameEndpoint named => named.Host,
        TcpClientEndpoint tcp => tcp.Host,
        _ => null,
    };

    private static string HostOf(IStreamClientEndpoint inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return DefaultTargetHost(inner)
            ?? throw new ArgumentException($"{inner.GetType().Name} has no host name to check the certificate against; give the target host", nameof(inner));
    }
}
