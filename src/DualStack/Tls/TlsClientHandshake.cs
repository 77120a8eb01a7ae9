using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DualStack;

// A client handshake, prepared once per connect and run once per connection (once per attempt in a handshake race).
//
// SNI and validation use the host the caller named, never the address that won the race. For an address
// literal, SslStream sends no SNI (RFC 6066 section 3: "Literal IPv4 and IPv6 addresses are not permitted in
// HostName") and the platform checks the name against the certificate's IP address entries; the zone of a link-local
// literal is dropped first, since it means nothing to the peer.
//
// Trust roots given by the caller replace the system store (X509ChainTrustMode.CustomRootTrust), as curl's --cacert
// does: adding them to the system store would need the machine's store to be written to, and a private CA is usually
// meant to be the only one trusted for that service.
internal sealed class TlsClientHandshake
{
    private readonly string _host;
    private readonly string _sslTargetHost;
    private readonly TlsClientOptions _options;
    private readonly X509Certificate2Collection? _anchors;
    private readonly X509Certificate2Collection? _intermediates;

    private TlsClientHandshake(string host, TlsClientOptions options, X509Certificate2Collection? roots)
    {
        _host = host;
        _options = options;
        _sslTargetHost = IPLiteral.TryParseAddress(host, out var literal)
            ? IPLiteral.FormatAddress(new IPAddress(literal.GetAddressBytes()))
            : host;
        if (roots is { Count: > 0 } && !options.UnsafeSkipCertificateValidation)
        {
            _anchors = [];
            _intermediates = [];
            foreach (var certificate in roots)
            {
                (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? _anchors : _intermediates).Add(certificate);
            }
        }
    }

    // <summary>Prepares a handshake for <paramref name="host"/>, reading <see cref="TlsClientOptions.TrustedRootsFile"/> if given.</summary>
    // <exception cref="IOException">The trusted roots file cannot be read or holds no certificate.</exception>
    public static async ValueTask<TlsClientHandshake> CreateAsync(string host, TlsClientOptions options, CancellationToken cancellationToken)
    {
        var roots = options.TrustedRoots;
        if (options.TrustedRootsFile is { } file && !options.UnsafeSkipCertificateValidation)
        {
            roots = [.. roots ?? [], .. await ReadRootsAsync(file, cancellationToken).ConfigureAwait(false)];
        }

        return new TlsClientHandshake(host, options, roots);
    }

    // <summary>Runs the handshake over <paramref name="transport"/>, which the returned stream owns (and which is closed on failure).</summary>
    // <exception cref="TlsHandshakeException">The handshake failed or timed out.</exception>
    // <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<SslStream> AuthenticateAsync(Stream transport, IPEndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        var check = new TlsCertificateCheck(_host, _options.UnsafeSkipCertificateValidation);
        var sslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = _sslTargetHost,
            ApplicationProtocols = TlsProtocols.ToList(_options.ApplicationProtocols),
            RemoteCertificateValidationCallback = check.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (_anchors is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(_anchors);
            policy.ExtraStore.AddRange(_intermediates!);
            sslOptions.CertificateChainPolicy = policy;
        }

        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await ssl.AuthenticateAsClientAsync(sslOptions, linked.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var endPoint = remoteEndPoint is null ? null : IPLiteral.Unmap(remoteEndPoint);
            if (timeout.IsCancellationRequested)
            {
                string waited = $"no handshake within {_options.HandshakeTimeout.TotalMilliseconds:0} ms";
                throw new TlsHandshakeException(_host, endPoint, waited, check.Errors, new TimeoutException(waited, e));
            }

            throw new TlsHandshakeException(_host, endPoint, check.Reason ?? TlsFailure.Describe(e), check.Errors, e);
        }
    }

    private static async Task<X509Certificate2Collection> ReadRootsAsync(string file, CancellationToken cancellationToken)
    {
        string pem;
        try
        {
            pem = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read trusted roots from '{file}': {e.Message}", e);
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new IOException($"cannot read trusted roots from '{file}': {e.Message}", e);
        }

        return roots.Count > 0 ? roots : throw new IOException($"cannot read trusted roots from '{file}': it holds no PEM certificate");
    }
}
