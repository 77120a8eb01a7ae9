using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DualStack;

/// <summary>How a client's TLS handshake is made and its server's certificate checked: for <see cref="TlsClientEndpoint"/> and StartTLS.</summary>
/// <remarks>
/// <para>
/// The server's certificate is validated by default: it must chain to a trusted root (the system's, or
/// <see cref="TrustedRoots"/>/<see cref="TrustedRootsFile"/> when given), be within its validity dates, and name the
/// target host (a DNS name in its subject alternative names, or, for an address literal, an IP address there).
/// <see cref="UnsafeSkipCertificateValidation"/> turns all of that off.
/// </para>
/// <para>
/// Two options are equal when their settings are equal and they hold the same <see cref="TrustedRoots"/> instance
/// and <see cref="TimeProvider"/>; the application protocols compare as lists.
/// </para>
/// </remarks>
public sealed record TlsClientOptions
{
    private readonly TimeSpan _handshakeTimeout = DefaultHandshakeTimeout;

    /// <summary>The default <see cref="HandshakeTimeout"/>: 10 seconds, as Kestrel's default handshake timeout.</summary>
    public static TimeSpan DefaultHandshakeTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Accepts any certificate from the server, for any name, expired or self-signed.</summary>
    /// <remarks>
    /// Defaults to <see langword="false"/>. <b>Unsafe</b>: with it, anyone on the path can impersonate the server and read
    /// and change everything sent. For tests and for diagnosing a server, never for real traffic; prefer
    /// <see cref="TrustedRoots"/> for a private certificate authority.
    /// </remarks>
    public bool UnsafeSkipCertificateValidation { get; init; }

    /// <summary>
    /// The certificate authorities to trust instead of the system's store (a custom trust store, as curl's
    /// <c>--cacert</c>): self-signed certificates become trust anchors, the others are used as intermediates.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the system's trusted roots.</remarks>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>A PEM file of certificate authorities to trust, read at each connect; added to <see cref="TrustedRoots"/>.</summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>. Unlike <see cref="TrustedRoots"/>, a file can be written in a description
    /// (<c>trustRoots=FILE</c>). A file that cannot be read fails the connect with an <see cref="IOException"/>.
    /// </remarks>
    public string? TrustedRootsFile { get; init; }

    /// <summary>The application protocols to offer with ALPN, most preferred first (<c>h2</c>, <c>http/1.1</c>).</summary>
    /// <remarks>Defaults to <see langword="null"/>: no ALPN extension is sent.</remarks>
    public IReadOnlyList<SslApplicationProtocol>? ApplicationProtocols { get; init; }

    /// <summary>How long the handshake may take once the connection is established.</summary>
    /// <remarks>Defaults to <see cref="DefaultHandshakeTimeout"/> (10 s). <see cref="Timeout.InfiniteTimeSpan"/> waits for as long as the connection lasts.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan HandshakeTimeout
    {
        get => _handshakeTimeout;
        init => _handshakeTimeout = EndpointArguments.CheckTimeout(value, nameof(HandshakeTimeout));
    }

    /// <summary>The clock for <see cref="HandshakeTimeout"/>. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <inheritdoc />
    public bool Equals(TlsClientOptions? other) =>
        other is not null
        && UnsafeSkipCertificateValidation == other.UnsafeSkipCertificateValidation
        && ReferenceEquals(TrustedRoots, other.TrustedRoots)
        && TrustedRootsFile == other.TrustedRootsFile
        && TlsProtocols.SequenceEqual(ApplicationProtocols, other.ApplicationProtocols)
        && HandshakeTimeout == other.HandshakeTimeout
        && ReferenceEquals(TimeProvider, other.TimeProvider);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(UnsafeSkipCertificateValidation, TrustedRootsFile, TlsProtocols.GetHashCode(ApplicationProtocols), HandshakeTimeout);
}
