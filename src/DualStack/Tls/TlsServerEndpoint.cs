using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>TLS over any stream server endpoint: listens with the inner endpoint and makes each accepted connection's TLS handshake as the server.</summary>
/// <remarks>
/// <para>
/// Handshakes run in the background, each bounded by <see cref="TlsServerOptions.HandshakeTimeout"/>: a client that
/// connects and says nothing holds only its own connection, never <see cref="IStreamListener.AcceptAsync"/>, which hands
/// out connections whose handshake has completed, in the order they completed. A failed or timed-out handshake closes
/// its connection and is logged (event ids 200 and 201, see <c>docs/diagnostics.md</c>).
/// </para>
/// <para>
/// The certificate comes from <see cref="TlsServerOptions"/> (in memory, chosen by SNI) or from PEM files read when
/// listening starts (<see cref="TlsServerEndpoint(IStreamServerEndpoint, string, string?)"/>); the file's certificate is
/// then the default one, and the other certificates in the file are sent as its chain. Only files are part of the
/// description (<c>tls://*:443?cert=FILE&amp;key=FILE</c>): an endpoint with in-memory certificates formats without them.
/// </para>
/// </remarks>
public sealed record TlsServerEndpoint : IStreamServerEndpoint
{
    /// <summary>Wraps <paramref name="inner"/> with in-memory certificates.</summary>
    /// <param name="inner">Any stream server endpoint, such as <c>TcpServerEndpoint.AllInterfaces(443)</c>.</param>
    /// <param name="options">The certificates and handshake settings; at least one certificate is needed.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> has no certificate.</exception>
    public TlsServerEndpoint(IStreamServerEndpoint inner, TlsServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        Options = options;
    }

    /// <summary>Wraps <paramref name="inner"/> with a certificate and key read from PEM files when listening starts.</summary>
    /// <param name="inner">Any stream server endpoint.</param>
    /// <param name="certificateFile">A PEM file with the certificate first, then any intermediates to send with it.</param>
    /// <param name="privateKeyFile">A PEM file with the private key, or <see langword="null"/> when it is in <paramref name="certificateFile"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> or <paramref name="certificateFile"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A file name is empty.</exception>
    public TlsServerEndpoint(IStreamServerEndpoint inner, string certificateFile, string? privateKeyFile)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrEmpty(certificateFile);
        if (privateKeyFile is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(privateKeyFile);
        }

        Inner = inner;
        CertificateFile = certificateFile;
        PrivateKeyFile = privateKeyFile;
        Options = new TlsServerOptions();
    }

    /// <summary>The endpoint that listens and accepts the connections the handshakes run over.</summary>
    public IStreamServerEndpoint Inner { get; }

    /// <summary>The PEM file of the default certificate (and its chain), or <see langword="null"/> for in-memory certificates.</summary>
    public string? CertificateFile { get; }

    /// <summary>The PEM file of the default certificate's private key, or <see langword="null"/> when it is in <see cref="CertificateFile"/> (or there is no file).</summary>
    public string? PrivateKeyFile { get; }

    /// <summary>The certificates by name, ALPN and the handshake timeout.</summary>
    /// <remarks>With <see cref="CertificateFile"/>, the file's certificate is the default and <see cref="TlsServerOptions.Certificate"/> must not be set.</remarks>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The value gives no certificate and there is no file, or gives a default certificate besides the file's.</exception>
    public TlsServerOptions Options
    {
        get => field;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Options));
            if (CertificateFile is null && !value.HasCertificate)
            {
                throw new ArgumentException("a TLS server needs a certificate: set Certificate or CertificatesByName, or give PEM files", nameof(Options));
            }

            if (CertificateFile is not null && value.Certificate is not null)
            {
                throw new ArgumentException($"the default certificate comes from '{CertificateFile}'; Options.Certificate must not be set as well", nameof(Options));
            }

            field = value;
        }
    }

    /// <summary>Where handshake failures and completions are logged. Defaults to <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <inheritdoc />
    /// <exception cref="ListenException">The certificate files cannot be read, or a socket could not be bound; nothing is left bound.</exception>
    public async ValueTask<IStreamListener> ListenAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var logger = LoggerFactory.CreateLogger<TlsServerEndpoint>();
        var handshake = new TlsServerHandshake(Options, CertificateFile is null ? null : LoadPemFiles(), logger);
        var listener = await Inner.ListenAsync(cancellationToken).ConfigureAwait(false);
        return new TlsListener(listener, handshake, Options.HandshakeTimeout, logger);
    }

    /// <summary>The endpoint's URI-style description, such as <c>tls://*:443?cert=server.pem&amp;key=server.key</c>.</summary>
    public override string ToString() => EndpointText.Of(this);

    private SslStreamCertificateContext LoadPemFiles()
    {
        try
        {
            using var fromPem = X509Certificate2.CreateFromPemFile(CertificateFile!, PrivateKeyFile);

            // A PEM key is ephemeral; Windows' TLS (SChannel) wants a key it can find again, which a PKCS#12 round
            // trip gives. Elsewhere it costs a few microseconds once per listen.
            var certificate = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), password: null);
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(CertificateFile!);
            var chain = new X509Certificate2Collection();
            foreach (var other in all)
            {
                if (other.Thumbprint != certificate.Thumbprint)
                {
                    chain.Add(other);
                }
            }

            return TlsServerHandshake.Context(certificate, chain);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ListenException(ToString(), [], $"cannot load the certificate from '{CertificateFile}'{(PrivateKeyFile is null ? string.Empty : $" and '{PrivateKeyFile}'")}: {e.Message}");
        }
    }
}
