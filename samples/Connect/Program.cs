// Connecting: Happy Eyeballs by name, the race's trace, a failed race listing every attempt, the race on its own
// and the single-address endpoint. Loopback only: "app.test" resolves (from a fixed table) to ::1, where nothing
// listens, and to 127.0.0.1, where a listener does.
using System.Net;
using System.Runtime.CompilerServices;
using DualStack;

await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync();
int port = listener.LocalEndPoints[0].Port;
var accepting = AcceptAllAsync(listener);

var resolver = new HostTableResolver().Add("app.test", IPAddress.IPv6Loopback).Add("app.test", IPAddress.Loopback);

// By name: IPv6 first; it is refused at once, so IPv4 starts without waiting the attempt delay and wins.
var endpoint = new HostnameEndpoint("app.test", port) { Resolver = resolver, AttemptDelay = TimeSpan.FromMilliseconds(100) };
await using (var connection = await endpoint.ConnectAsync())
{
    Console.WriteLine($"connected to {connection.RemoteEndPoint} from {connection.LocalEndPoint}");
    foreach (var attempt in connection.Attempts)
    {
        Console.WriteLine($"    {IPLiteral.FormatEndPoint(attempt.RemoteEndPoint)} {attempt.Outcome} at {attempt.Started.TotalMilliseconds:0}-{attempt.Ended.TotalMilliseconds:0} ms");
    }
}

// Policies are options, not code paths: IPv4 only, here.
await using (var v4 = await (endpoint with { Family = System.Net.Sockets.AddressFamily.InterNetwork }).ConnectAsync())
{
    Console.WriteLine($"IPv4 only: {v4.Attempts.Count} attempt, {v4.RemoteEndPoint}");
}

// Every attempt fails: one exception that lists them all, each with its own error.
try
{
    await new HostnameEndpoint("app.test", ClosedPort()) { Resolver = resolver }.ConnectAsync();
}
catch (ConnectionRaceException e)
{
    Console.WriteLine($"failed: {e.Attempts.Count} attempts");
    foreach (var attempt in e.Attempts)
    {
        Console.WriteLine($"    {IPLiteral.FormatEndPoint(attempt.RemoteEndPoint)} {attempt.Outcome}: {attempt.Error?.Message}");
    }
}

// The race on its own: candidates from anywhere (a registry, SRV records), even still arriving.
await using (var raced = await ConnectionRace.ConnectAsync("from a registry", Candidates(port)))
{
    Console.WriteLine($"race on its own: {raced.RemoteEndPoint} after {raced.Attempts.Count} attempts");
}

// One address, no race: the low-level endpoint.
await using (var direct = await new TcpClientEndpoint(IPAddress.Loopback, port).ConnectAsync())
{
    Console.WriteLine($"single address: {direct.RemoteEndPoint}");
}

await listener.StopAsync();
await accepting;

static async IAsyncEnumerable<IPEndPoint> Candidates(int port, [EnumeratorCancellation] CancellationToken cancellationToken = default)
{
    yield return new IPEndPoint(IPAddress.IPv6Loopback, port);
    await Task.Yield();
    yield return new IPEndPoint(IPAddress.Loopback, port);
}

// A port where nothing listens on either loopback address: bound, read back, released.
static int ClosedPort()
{
    using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
    socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
    return ((IPEndPoint)socket.LocalEndPoint!).Port;
}

static async Task AcceptAllAsync(IStreamListener listener)
{
    while (await listener.AcceptAsync() is { } connection)
    {
        await connection.DisposeAsync();
    }
}
