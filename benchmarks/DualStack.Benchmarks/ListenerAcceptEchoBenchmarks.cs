using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace DualStack.Benchmarks;

/// <summary>
/// Connections per second through a listener: accept, one 1 KiB echo round trip, close. The DualStack
/// listener (one accept loop per socket feeding a bounded channel) against a plain <see cref="Socket"/> with an
/// <see cref="Socket.AcceptAsync(CancellationToken)"/> loop.
/// </summary>
/// <remarks>
/// <para>
/// Both servers serve each connection on its own task through a <see cref="NetworkStream"/> (what a
/// <see cref="StreamConnection"/> holds), so the difference is the listener and the connection object around the
/// socket. The clients are the same plain sockets for both. <see cref="Clients"/> is how many connections are in
/// flight at once: 1 measures the latency of each accept, 8 a server under load.
/// </para>
/// <para>
/// Clients close with <c>SO_LINGER</c> 0 (a reset) once they have read the echo, so that neither side leaves a
/// connection in <c>TIME_WAIT</c>: tens of thousands of connections per run would otherwise use up the ephemeral ports.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(LoopbackBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ListenerAcceptEchoBenchmarks : IDisposable
{
    private const int ConnectionsPerInvoke = 100;
    private const int MessageSize = 1024;

    private IStreamListener? _dualStackListener;
    private Task _dualStackAcceptLoop = Task.CompletedTask;
    private Socket? _plainListener;
    private Task _plainAcceptLoop = Task.CompletedTask;
    private IPEndPoint _dualStackEndPoint = new(IPAddress.Loopback, 0);
    private IPEndPoint _plainEndPoint = new(IPAddress.Loopback, 0);

    /// <summary>The loopback address both listeners bind and the clients connect to.</summary>
    [Params("127.0.0.1", "::1")]
    public string Address { get; set; } = "";

    /// <summary>How many clients connect at once.</summary>
    [Params(1, 8)]
    public int Clients { get; set; }

    /// <summary>Sets up both sides, for <see cref="PairedComparison"/>; BenchmarkDotNet sets up only the side a case measures.</summary>
    public void Setup()
    {
        SetupPlain();
        SetupDualStack();
    }

    [GlobalSetup(Target = nameof(DualStackListener))]
    public void SetupDualStack()
    {
        // TcpServerEndpoint binds synchronously; the ValueTask is already complete.
        _dualStackListener = new TcpServerEndpoint(IPAddress.Parse(Address), 0).ListenAsync().AsTask().GetAwaiter().GetResult();
        _dualStackEndPoint = _dualStackListener.LocalEndPoints[0];
        _dualStackAcceptLoop = DualStackAcceptLoopAsync(_dualStackListener);
    }

    [GlobalSetup(Target = nameof(PlainSocketListener))]
    public void SetupPlain()
    {
        var address = IPAddress.Parse(Address);
        _plainListener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _plainListener.Bind(new IPEndPoint(address, 0));
        _plainListener.Listen(TcpServerEndpoint.DefaultBacklog);
        _plainEndPoint = (IPEndPoint)_plainListener.LocalEndPoint!;
        _plainAcceptLoop = PlainAcceptLoopAsync(_plainListener);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _dualStackListener?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dualStackListener = null;
        _plainListener?.Dispose();
        _plainListener = null;
        Task.WhenAll(_dualStackAcceptLoop, _plainAcceptLoop).GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ConnectionsPerInvoke)]
    public Task PlainSocketListener() => RunClientsAsync(_plainEndPoint);

    [Benchmark(OperationsPerInvoke = ConnectionsPerInvoke)]
    public Task DualStackListener() => RunClientsAsync(_dualStackEndPoint);

    private async Task RunClientsAsync(IPEndPoint server)
    {
        int remaining = ConnectionsPerInvoke;
        var clients = new Task[Clients];
        for (int i = 0; i < clients.Length; i++)
        {
            clients[i] = Task.Run(async () =>
            {
                var buffer = new byte[MessageSize];
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    await EchoOnceAsync(server, buffer);
                }
            });
        }

        await Task.WhenAll(clients);
    }

    private static async Task EchoOnceAsync(IPEndPoint server, byte[] buffer)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        for (int sent = 0; sent < buffer.Length;)
        {
            sent += await socket.SendAsync(buffer.AsMemory(sent), SocketFlags.None);
        }

        for (int received = 0; received < buffer.Length;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
            received += n > 0 ? n : throw new IOException("the server closed before echoing everything");
        }

        socket.LingerState = new LingerOption(enable: true, seconds: 0);
    }

    private static async Task DualStackAcceptLoopAsync(IStreamListener listener)
    {
        while (await listener.AcceptAsync() is { } connection)
        {
            _ = ServeAsync(connection.Stream, connection);
        }
    }

    private static async Task PlainAcceptLoopAsync(Socket listener)
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

            var stream = new NetworkStream(accepted, ownsSocket: true);
            _ = ServeAsync(stream, stream);
        }
    }

    private static async Task ServeAsync(Stream stream, IAsyncDisposable owner)
    {
        await using (owner)
        {
            var buffer = new byte[MessageSize];
            try
            {
                await stream.ReadExactlyAsync(buffer);
                await stream.WriteAsync(buffer);
            }
            catch (IOException)
            {
                // The client went away; nothing to measure.
            }
        }
    }
}
