// The README's example: listen on every interface and family, connect by name, echo one line.
using System.Text;
using DualStack;

await using var listener = await EndpointDescription.ParseServer("tcp://*:0").ListenAsync();
int port = listener.LocalEndPoints[0].Port;
Console.WriteLine($"listening on {string.Join(", ", listener.LocalEndPoints.Select(IPLiteral.FormatEndPoint))}");

await using var client = await new HostnameEndpoint("localhost", port).ConnectAsync();
await using var server = await listener.AcceptAsync() ?? throw new InvalidOperationException("listener stopped");
Console.WriteLine($"accepted {server.RemoteEndPoint} -> {server.LocalEndPoint}");

await client.Stream.WriteAsync("hello\n"u8.ToArray());
var buffer = new byte[6];
await server.Stream.ReadExactlyAsync(buffer);
Console.WriteLine($"server read: {Encoding.ASCII.GetString(buffer).TrimEnd()}");
