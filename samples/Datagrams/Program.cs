// docs/datagrams.md's example: a UDP echo on every family, a connected client, and a connected socket hearing
// "port unreachable". Loopback only; multicast needs a link that carries it (see the lab tests).
using System.Net;
using System.Text;
using DualStack;

using var server = EndpointDescription.ParseDatagram("udp://*:0").Bind();
int port = server.LocalEndPoint.Port;
Console.WriteLine($"bound {server} (dual-mode: {server.IsDualMode})");
var echo = EchoOnceAsync(server);

// An IPv4 client talking to the dual-mode socket: the server sees 127.0.0.1, not ::ffff:127.0.0.1.
using var client = new UdpEndpoint(IPAddress.Loopback, 0).Bind();
client.Connect(new IPEndPoint(IPAddress.Loopback, port));
await client.SendAsync("hello"u8.ToArray());
var buffer = new byte[64];
var reply = await client.ReceiveAsync(buffer);
Console.WriteLine($"reply from {reply.RemoteEndPoint}: {Encoding.UTF8.GetString(buffer, 0, reply.Length)}");
await echo;

// A connected socket learns that nobody listens: ICMP port unreachable becomes a UdpException.
server.Dispose();
await client.SendAsync("anyone?"u8.ToArray());
try
{
    await client.ReceiveAsync(buffer);
}
catch (UdpException e)
{
    Console.WriteLine(e.Message);
}

static async Task EchoOnceAsync(UdpSocket socket)
{
    var buffer = new byte[65_527];
    var datagram = await socket.ReceiveMessageAsync(buffer);
    Console.WriteLine($"server got {datagram.Length} bytes from {datagram.RemoteEndPoint} to {datagram.LocalAddress}");
    await socket.SendToAsync(buffer.AsMemory(0, datagram.Length), datagram.RemoteEndPoint);
}
