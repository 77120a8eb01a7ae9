// TLS over every family: listen with TLS on every interface, connect by name with TLS, check the certificate for
// the name (not for the address that won), then upgrade a plaintext connection with StartTLS.
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DualStack;

// A self-signed certificate for "tls.example" and both loopback addresses; a real server reads PEM files instead:
// new TlsServerEndpoint(TcpServerEndpoint.AllInterfaces(443), "server.pem", "server.key").
using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var request = new CertificateRequest("CN=tls.example", key, HashAlgorithmName.SHA256);
var names = new SubjectAlternativeNameBuilder();
names.AddDnsName("tls.example");
names.AddIpAddress(IPAddress.Loopback);
names.AddIpAddress(IPAddress.IPv6Loopback);
request.CertificateExtensions.Add(names.Build());
using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
var trust = new TlsClientOptions { TrustedRoots = [certificate] };

await using var listener = await new TlsServerEndpoint(TcpServerEndpoint.AllInterfaces(0), new TlsServerOptions { Certificate = certificate })
    .ListenAsync();
int port = listener.LocalEndPoints[0].Port;
Console.WriteLine($"listening with TLS on {string.Join(", ", listener.LocalEndPoints.Select(IPLiteral.FormatEndPoint))}");

// "tls.example" resolves to ::1 and 127.0.0.1 here; the certificate is checked for the name whichever wins.
var resolver = new HostTableResolver().Add("tls.example", IPAddress.IPv6Loopback).Add("tls.example", IPAddress.Loopback);
await using var client = await new TlsClientEndpoint(new HostnameEndpoint("tls.example", port) { Resolver = resolver }) { Options = trust }
    .ConnectAsync();
await using var server = await listener.AcceptAsync() ?? throw new InvalidOperationException("listener stopped");
var tls = (SslStream)client.Stream;
Console.WriteLine($"connected to {client.RemoteEndPoint} with {tls.SslProtocol}, certificate {tls.RemoteCertificate!.Subject}");
Console.WriteLine($"the server saw SNI '{((SslStream)server.Stream).TargetHostName}'");

// StartTLS: a plaintext exchange, then both sides upgrade the same connection.
await using var plainListener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync();
var serverSide = Task.Run(async () =>
{
    var plain = await plainListener.AcceptAsync() ?? throw new InvalidOperationException("listener stopped");
    await ReadLineAsync(plain.Stream);                                   // "STARTTLS"
    await plain.Stream.WriteAsync("220 go ahead\r\n"u8.ToArray());
    return await plain.StartTlsAsServerAsync(new TlsServerOptions { Certificate = certificate });
});
var plainClient = await new TcpClientEndpoint(IPAddress.Loopback, plainListener.LocalEndPoints[0].Port).ConnectAsync();
await plainClient.Stream.WriteAsync("STARTTLS\r\n"u8.ToArray());
Console.WriteLine($"server said: {await ReadLineAsync(plainClient.Stream)}");
await using var upgraded = await plainClient.StartTlsAsClientAsync("127.0.0.1", trust);
await using var upgradedServer = await serverSide;
Console.WriteLine($"upgraded {upgraded} to {((SslStream)upgraded.Stream).SslProtocol}");

// One byte at a time: what follows the line belongs to the TLS handshake.
static async Task<string> ReadLineAsync(Stream stream)
{
    var line = new StringBuilder();
    var one = new byte[1];
    while (await stream.ReadAsync(one) == 1 && one[0] != '\n')
    {
        line.Append((char)one[0]);
    }

    return line.ToString().TrimEnd('\r');
}
