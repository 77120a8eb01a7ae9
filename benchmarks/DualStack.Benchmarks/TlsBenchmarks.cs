using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using DualStack.Tests.Shared;

namespace DualStack.Benchmarks;

/// <summary>
/// One operation = connect over 127.0.0.1, full TLS handshake (certificate validated against a private CA), 1 KB
/// written and echoed back, close. DualStack's TLS client and server endpoints next to plain <see cref="SslStream"/>
/// over a <see cref="Socket"/> on both sides, in the same run; operations per second are 1 / Mean.
/// </summary>
/// <remarks>
/// Both sides validate the same way (custom root trust, no revocation check) and neither resumes sessions, so the
/// difference is what the endpoints add: the background handshake and queue of the listener, the SNI callback, the
/// options and the validation callback that explains failures.
/// </remarks>
[MemoryDiagnoser]
public class TlsBenchmarks : IDisposable
{
    private const string Name = "tls.test";

    private readonly byte[] _payload = new byte[1024];
    private readonly byte[] _reply = new byte[1024];
    private TestCertificates _ca = null!;
    private X509Certificate2 _certificate = null!;
    private IStreamListener _endpointServer = null!;
    private Socket _plainServer = null!;
    private Task _endpointLoop = null!;
    private Task _plainLoop = null!;
    private SslStreamCertificateContext _context = null!;
    private TlsClientEndpoint _client = null!;
    private TlsClientEndpoint _clientOfPlain = null!;
    private IPEndPoint _plainEndPoint = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _ca = new TestCertificates();
        _certificate = _ca.Issue(Name);
        _context = SslStreamCertificateContext.Create(_certificate, null, offline: true);

        _endpointServer = await new TlsServerEndpoint(new TcpServerEndpoint(IPAddress.Loopback, 0), new TlsServerOptions { Certificate = _certificate }).ListenAsync();
        _endpointLoop = ServeEndpointsAsync(_endpointServer);
        _client = new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, _endpointServer.LocalEndPoints[0].Port), Name)
        {
            Options = new TlsClientOptions { TrustedRoots = _ca.Roots },
        };

        _plainServer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _plainServer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _plainServer.Listen(512);
        _plainEndPoint = (IPEndPoint)_plainServer.LocalEndPoint!;
        _plainLoop = ServePlainAsync(_plainServer, _context);
        _clientOfPlain = new TlsClientEndpoint(new TcpClientEndpoint(IPAddress.Loopback, _plainEndPoint.Port), Name) { Options = _client.Options };
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _endpointServer.DisposeAsync();
        _plainServer.Dispose();
        await Task.WhenAll(_endpointLoop, _plainLoop);
        Dispose();
    }

    // BenchmarkDotNet wants benchmark classes unsealed, hence the full pattern.
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _plainServer?.Dispose();
            _ca?.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "SslStream over Socket")]
    public Task PlainSslStream() => PlainClientAsync(_plainEndPoint);

    [Benchmark(Description = "TlsClientEndpoint to SslStream server")]
    public async Task EndpointClientOnly()
    {
        await using var connection = await _clientOfPlain.ConnectAsync();
        await EchoAsync(connection.Stream);
    }

    [Benchmark(Description = "SslStream client to TlsServerEndpoint")]
    public Task EndpointServerOnly() => PlainClientAsync(_endpointServer.LocalEndPoints[0]);

    private async Task PlainClientAsync(IPEndPoint remote)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(remote);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(_ca.Root);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = Name,
            CertificateChainPolicy = policy,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });
        await EchoAsync(ssl);
    }

    [Benchmark(Description = "TlsClientEndpoint to TlsServerEndpoint")]
    public async Task DualStackEndpoints()
    {
        await using var connection = await _client.ConnectAsync();
        await EchoAsync(connection.Stream);
    }

    private async Task EchoAsync(Stream stream)
    {
        await stream.WriteAsync(_payload);
        await stream.ReadExactlyAsync(_reply);
    }

    private static async Task ServeEndpointsAsync(IStreamListener listener)
    {
        while (await listener.AcceptAsync() is { } connection)
        {
            _ = EchoOnceAsync(connection.Stream, connection);
        }
    }

    private static async Task ServePlainAsync(Socket listener, SslStreamCertificateContext context)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = HandshakeAndEchoAsync(accepted, context);
        }
    }

    private static async Task HandshakeAndEchoAsync(Socket socket, SslStreamCertificateContext context)
    {
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context });
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            await ssl.DisposeAsync();
            return;
        }

        await EchoOnceAsync(ssl, ssl);
    }

    // Echoes until the client closes, then closes.
    private static async Task EchoOnceAsync(Stream stream, IAsyncDisposable owner)
    {
        await using (owner)
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, read));
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
