// Native AOT: the library in a program compiled ahead of time (dotnet publish samples/AotSmoke -c Release
// -p:PublishAot=true). In one run it listens on every interface from a description, connects by name and echoes a
// line, then does the same over TLS with a certificate made in-process. A part of the library that needs reflection
// or code generation shows as a warning when publishing, or as a failure here.
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DualStack;

Console.WriteLine($"compiled ahead of time: {!RuntimeFeature.IsDynamicCodeSupported}");

// The name to connect by, from a table rather than DNS: the system resolver would send the AAAA query for a name that
// /etc/hosts knows only for IPv4 (often "localhost") to the network's DNS server.
const string Name = "aot-smoke.test";
var resolver = new HostTableResolver().Add(Name, System.Net.IPAddress.IPv6Loopback).Add(Name, System.Net.IPAddress.Loopback);

// Plain TCP: every interface, port chosen by the system; the client connects by name over whichever family answers.
await using (var listener = await EndpointDescription.ParseServer("tcp://*:0").ListenAsync())
{
    int port = listener.LocalEndPoints[0].Port;
    Console.WriteLine($"listening on {string.Join(", ", listener.LocalEndPoints.Select(IPLiteral.FormatEndPoint))}");
    var echo = EchoOnceAsync(listener);
    await using var client = await new HostnameEndpoint(Name, port) { Resolver = resolver }.ConnectAsync();
    Console.WriteLine($"echoed '{await ExchangeAsync(client.Stream, "hello by name")}' via {client.RemoteEndPoint}");
    await echo;
}

// TLS: a self-signed certificate for the name, trusted by the client as its only root.
using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
var request = new CertificateRequest($"CN={Name}", key, HashAlgorithmName.SHA256);
var names = new SubjectAlternativeNameBuilder();
names.AddDnsName(Name);
request.CertificateExtensions.Add(names.Build());
using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

await using (var listener = await new TlsServerEndpoint(TcpServerEndpoint.AllInterfaces(0), new TlsServerOptions { Certificate = certificate }).ListenAsync())
{
    int port = listener.LocalEndPoints[0].Port;
    var echo = EchoOnceAsync(listener);
    var trust = new TlsClientOptions { TrustedRoots = [certificate] };
    await using var client = await new TlsClientEndpoint(new HostnameEndpoint(Name, port) { Resolver = resolver }) { Options = trust }.ConnectAsync();
    var tls = (SslStream)client.Stream;
    Console.WriteLine($"tls {tls.SslProtocol} with {tls.RemoteCertificate!.Subject}: echoed '{await ExchangeAsync(client.Stream, "hello over tls")}'");
    await echo;
}

Console.WriteLine("done");

// The server side: accept one connection and send its first line back.
static async Task EchoOnceAsync(IStreamListener listener)
{
    await using var connection = await listener.AcceptAsync() ?? throw new InvalidOperationException("listener stopped");
    using var reader = new StreamReader(connection.Stream, leaveOpen: true);
    string line = await reader.ReadLineAsync() ?? throw new InvalidOperationException("no line");
    await using var writer = new StreamWriter(connection.Stream, leaveOpen: true) { AutoFlush = true };
    await writer.WriteLineAsync(line);
}

// The client side: send a line, read the reply.
static async Task<string> ExchangeAsync(Stream stream, string line)
{
    await using var writer = new StreamWriter(stream, leaveOpen: true) { AutoFlush = true };
    await writer.WriteLineAsync(line);
    using var reader = new StreamReader(stream, leaveOpen: true);
    return await reader.ReadLineAsync() ?? throw new InvalidOperationException("no reply");
}
