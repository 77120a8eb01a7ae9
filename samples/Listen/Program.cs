// Listening: one call, every family; one listener over many sockets; an echo server on it; a graceful stop.
// Loopback only: the listener binds every interface, and the clients connect to ::1 and 127.0.0.1.
using System.Net;
using System.Net.Sockets;
using System.Text;
using DualStack;

// One socket per family on every interface ("all local interfaces"); port 0 gets the same port on both.
// EndpointDescription.ParseServer("tcp://*:0") or TcpServerEndpoint.AllInterfaces(0) uses one dual-stack socket instead.
await using var listener = await TcpServerEndpoint.AllInterfacesPerFamily(0).ListenAsync();
int port = listener.LocalEndPoints[0].Port;
Console.WriteLine($"listening on {string.Join(", ", listener.LocalEndPoints.Select(IPLiteral.FormatEndPoint))}");

// The echo server: accept from all sockets until the listener stops (AcceptAsync then returns null).
var server = Task.Run(async () =>
{
    var sessions = new List<Task>();
    while (await listener.AcceptAsync() is { } connection)
    {
        Console.WriteLine($"accepted {IPLiteral.FormatEndPoint((IPEndPoint)connection.RemoteEndPoint!)} on {IPLiteral.FormatEndPoint((IPEndPoint)connection.LocalEndPoint!)}");
        sessions.Add(EchoAsync(connection));
    }

    await Task.WhenAll(sessions);
});

// One client per family; an IPv4 peer shows as 127.0.0.1, never [::ffff:127.0.0.1].
var addresses = Socket.OSSupportsIPv6 ? new[] { IPAddress.IPv6Loopback, IPAddress.Loopback } : [IPAddress.Loopback];
foreach (var address in addresses)
{
    await using var client = await new TcpClientEndpoint(address, port).ConnectAsync();
    await client.Stream.WriteAsync(Encoding.UTF8.GetBytes($"hello from {address.AddressFamily}"));
    client.Socket!.Shutdown(SocketShutdown.Send);
    using var reader = new StreamReader(client.Stream, Encoding.UTF8);
    Console.WriteLine($"echoed: {await reader.ReadToEndAsync()}");
}

// Graceful stop: no new connections, pending accepts drained, every socket closed.
await listener.StopAsync();
await server;
Console.WriteLine("stopped");

// Other scopes: an interface by name (its addresses, both families, link-local with zone) and exactly one address.
string loopbackName = LocalInterface.GetAll().First(nic => nic.IsLoopback).Name;
await using (var onInterface = await TcpServerEndpoint.ForInterface(loopbackName, 0).ListenAsync())
{
    Console.WriteLine($"on {loopbackName}: {string.Join(", ", onInterface.LocalEndPoints.Select(IPLiteral.FormatEndPoint))}");
}

await using (var onAddress = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync())
{
    Console.WriteLine($"on 127.0.0.1: {string.Join(", ", onAddress.LocalEndPoints.Select(IPLiteral.FormatEndPoint))}");
}

static async Task EchoAsync(StreamConnection connection)
{
    await using (connection)
    {
        await connection.Stream.CopyToAsync(connection.Stream);
    }
}
