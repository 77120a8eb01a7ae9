using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DualStack;

/// <summary>How a server's TLS handshake is made: its certificates, chosen by the name the client asks for (SNI), ALPN and a timeout.</summary>
/// <remarks>
/// <para>
/// The certificate is chosen per connection: the entry of <see cref="CertificatesByName"/> for the server name the client
/// sent (exact, ignoring case, then a <c>*.example.com</c> entry for one more label), else <see cref="Certificate"/>.
/// A client that sends no name (it connected to an address literal) gets <see cref="Certificate"/>. Certificates must
/// have their private key.
/// </para>
/// <para>
/// Two options are equal when their settings are equal and they hold the same certificate instances and
/// <see cref="TimeProvider"/>; the application protocols compare as lists.
/// </para>
/// </remarks>
public sealed record TlsServerOptions
{
    private readonly TimeSpan _handshakeTimeout = TlsClientOptions.DefaultHandshakeTimeout;

    /// <summary>The certificate for clients whose server name has no entry in <see cref="CertificatesByName"/>, or who send none.</summary>
    /// <remarks>Defaults to <see langword="null"/>: such clients fail their handshake.</remarks>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Certificates by the server name clients ask for (SNI): <c>example.com</c>, or <c>*.example.com</c> for any one label in front.</summary>
    /// <remarks>Defaults to <see langword="null"/>: <see cref="Certificate"/> for everyone. Names compare ignoring case.</remarks>
    public IReadOnlyDictionary<string, X509Certificate2>? CertificatesByName { get; init; }

    /// <summary>The application protocols the server accepts with ALPN, most preferred first.</summary>
    /// <remarks>Defaults to <see langword="null"/>: ALPN is not negotiated. When set, a client offering none of them fails its handshake.</remarks>
    public IReadOnlyList<SslApplicationProtocol>? ApplicationProtocols { get; init; }

    /// <summary>How long a client may take to complete its handshake; a silent client is disconnected when it passes.</summary>
    /// <remarks>Defaults to 10 s (<see cref="TlsClientOptions.DefaultHandshakeTimeout"/>). <see cref="Timeout.InfiniteTimeSpan"/> lets a silent client hold its connection for ever.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan HandshakeTimeout
    {
        get => _handshakeTimeout;
        init => _handshakeTimeout = EndpointArguments.CheckTimeout(value, nameof(HandshakeTimeout));
    }

    /// <summary>The clock for <see cref="HandshakeTimeout"/>. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    // <summary>Whether any certificate is given, by default or by name.</summary>
    internal bool HasCertificate => Certificate is not null || CertificatesByName is { Count: > 0 };

    /// <inheritdoc />
    public bool Equals(TlsServerOptions? other) =>
        other is not null
        && ReferenceEquals(Certificate, other.Certificate)
        && ReferenceEquals(CertificatesByName, other.CertificatesByName)
        && TlsProtocols.SequenceEqual(ApplicationProtocols, other.ApplicationProtocols)
        && HandshakeTimeout == other.HandshakeTimeout
        && ReferenceEquals(TimeProvider, other.TimeProvider);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Certificate, TlsProtocols.GetHashCode(ApplicationProtocols), HandshakeTimeout);
}
