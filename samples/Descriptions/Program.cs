// Descriptions: one string for any endpoint, in URI style or Twisted style, parsed and formatted back; errors that
// point at the field. Then a description is all a program needs to listen and connect (loopback only).
using System.Text;
using DualStack;

string[] servers = ["tcp://*:8080", "tcp:8080:interface=\\:\\:1", "tcp6:8080", "tcp://127.0.0.1:8080", "tcp://[::]:8080"];
string[] clients = ["tcp://example.com:443", "tcp:host=example.com:port=443", "tcp://[::1]:5555", "tls:host=example.com:port=443"];

foreach (string text in servers)
{
    var endpoint = EndpointDescription.ParseServer(text);
    Console.WriteLine($"server {text,-28} -> {EndpointDescription.Format(endpoint, DescriptionSyntax.Uri),-24} {EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted)}");
}

foreach (string text in clients)
{
    var endpoint = EndpointDescription.ParseClient(text);
    Console.WriteLine($"client {text,-28} -> {endpoint.GetType().Name,-18} {EndpointDescription.Format(endpoint, DescriptionSyntax.Uri)}");
}

// Which side a description is for, when a tool takes either.
Console.WriteLine($"role of tcp://*:8080: {EndpointDescription.InferRole("tcp://*:8080")}");

// Errors quote the input and name the field and position.
foreach (string bad in new[] { "tcp://[::1]:99999", "tcp:8080:interface=nosuch0", "quic://[::1]:443" })
{
    try
    {
        EndpointDescription.ParseServer(bad);
    }
    catch (EndpointFormatException e)
    {
        Console.WriteLine($"error in field '{e.Field}' at {e.Position}: {e.Message}");
    }
}

// A program configured by two strings: where to listen and where to connect.
await using var listener = await EndpointDescription.ParseServer("tcp://127.0.0.1:0").ListenAsync();
string target = $"tcp://127.0.0.1:{listener.LocalEndPoints[0].Port}";
await using var client = await EndpointDescription.ParseClient(target).ConnectAsync();
await using var server = await listener.AcceptAsync() ?? throw new InvalidOperationException("listener stopped");
await client.Stream.WriteAsync("hi"u8.ToArray());
var buffer = new byte[2];
await server.Stream.ReadExactlyAsync(buffer);
Console.WriteLine($"{target}: server read '{Encoding.ASCII.GetString(buffer)}'");
