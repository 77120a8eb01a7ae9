using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using DualStack.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack;

// A server handshake, prepared once per listener (or StartTLS call) and run once per connection.
//
// The certificate is chosen from the client's hello (SNI) through SslStream's options-selection callback, which sees
// the server name before anything is sent. Each certificate's context (its chain, built once) is made here, not per
// connection: building a chain costs more than the rest of the callback.
internal sealed class TlsServerHandshake
{
    private static readonly ServerOptionsSelectionCallback s_select = SelectAsync;

    private readonly SslStreamCertificateContext? _default;
    private readonly Dictionary<string, SslStreamCertificateContext> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SslApplicationProtocol>? _protocols;
    private readonly TlsServerOptions _options;
    private readonly ILogger _logger;

    public TlsServerHandshake(TlsServerOptions options, SslStreamCertificateContext? fromFiles, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _protocols = TlsProtocols.ToList(options.ApplicationProtocols);
        _default = fromFiles ?? (options.Certificate is { } certificate ? Context(certificate, null) : null);
        foreach (var (name, byName) in options.CertificatesByName ?? new Dictionary<string, X509Certificate2>())
        {
            _byName[name.TrimEnd('.')] = ReferenceEquals(byName, options.Certificate) && _default is not null ? _default : Context(byName, null);
        }
    }

    // <summary>A certificate's context; the other certificates given with it are sent as its chain.</summary>
    public static SslStreamCertificateContext Context(X509Certificate2 certificate, X509Certificate2Collection? chain) =>
        // offline: the chain is completed from what is given and the local stores, never by fetching issuers (AIA).
        SslStreamCertificateContext.Create(certificate, chain, offline: true);

    // <summary>Runs the handshake over <paramref name="transport"/>, which the returned stream owns (and which is closed on failure).</summary>
    // <exception cref="TlsHandshakeException">The handshake failed or timed out.</exception>
    // <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<SslStream> AuthenticateAsync(Stream transport, IPEndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await ssl.AuthenticateAsServerAsync(s_select, this, linked.Token).ConfigureAwait(false);
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
                throw new TlsHandshakeException("client", endPoint, waited, SslPolicyErrors.None, new TimeoutException(waited, e));
            }

            throw new TlsHandshakeException("client", endPoint, TlsFailure.Describe(e), SslPolicyErrors.None, e);
        }
    }

    private static ValueTask<SslServerAuthenticationOptions> SelectAsync(
        SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
    {
        var self = (TlsServerHandshake)state!;
        string name = hello.ServerName ?? string.Empty;
        var context = self.Choose(name);
        if (context is null)
        {
            throw new AuthenticationException(name.Length == 0
                ? "the client sent no server name and there is no default certificate"
                : $"no certificate for server name '{name}' and no default certificate");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            ApplicationProtocols = self._protocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });
    }

    private SslStreamCertificateContext? Choose(string name)
    {
        if (name.Length == 0 || _byName.Count == 0)
        {
            return _default;
        }

        name = name.TrimEnd('.');
        if (_byName.TryGetValue(name, out var exact))
        {
            return exact;
        }

        int dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _byName.TryGetValue("*" + name[dot..], out var wildcard))
        {
            return wildcard;
        }

        TlsLog.NoCertificateForServerName(_logger, name);
        return _default;
    }
}
