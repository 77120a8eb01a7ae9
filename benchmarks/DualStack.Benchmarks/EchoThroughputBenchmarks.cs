using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace DualStack.Benchmarks;

/// <summary>
/// Bulk echo over one established connection: 4 MiB written in 64 KiB writes while reading the echo back.
/// DualStack's <see cref="StreamConnection.Stream"/> on both sides (accepted from a <see cref="TcpServerEndpoint"/>
/// listener, connected with a <see cref="TcpClientEndpoint"/>) against plain sockets and <see cref="NetworkStream"/>s.
/// </summary>
/// <remarks>One operation is one MiB echoed (sent and received back), so operations per second are MiB/s.</remarks>
[MemoryDiagnoser]
[Config(typeof(LoopbackBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class EchoThroughputBenchmarks : IDisposable
{
    private const int MiB = 1024 * 1024;
    private const int TotalMiB = 4;
    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _writeBuffer = new byte[ChunkSize];
    private readonly byte[] _readBuffer = new byte[ChunkSize];

    private IStreamListener? _dualStackListener;
    private StreamConnection? _dualStackServer;
    private StreamConnection? _dualStackClient;
    private Task _dualStackEcho = Task.CompletedTask;

    private Socket? _plainListener;
    private NetworkStream? _plainServer;
    private NetworkStream? _plainClient;
    private Task _plainEcho = Task.CompletedTask;

    /// <summary>The loopback address the connection runs over.</summary>
    [Params("127.0.0.1", "::1")]
    public string Address { get; set; } = "";

    /// <summary>Sets up both sides, for <see cref="PairedComparison"/>; BenchmarkDotNet sets up only the side a case measures.</summary>
    public void Setup()
    {
        SetupPlain();
        SetupDualStack();
    }

    [GlobalSetup(Target = nameof(DualStackStream))]
    public void SetupDualStack() => SetupDualStackAsync().GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(PlainNetworkStream))]
    public void SetupPlain() => SetupPlainAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Dispose()
    {
        CleanupAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalMiB)]
    public Task PlainNetworkStream() => EchoAsync(_plainClient!);

    [Benchmark(OperationsPerInvoke = TotalMiB)]
    public Task DualStackStream() => EchoAsync(_dualStackClient!.Stream);

    private async Task SetupDualStackAsync()
    {
        var address = IPAddress.Parse(Address);
        _dualStackListener = await new TcpServerEndpoint(address, 0).ListenAsync();
        var connecting = new TcpClientEndpoint(address, _dualStackListener.LocalEndPoints[0].Port).ConnectAsync();
        _dualStackServer = await _dualStackListener.AcceptAsync() ?? throw new InvalidOperationException("the listener stopped");
        _dualStackClient = await connecting;
        _dualStackEcho = EchoServerAsync(_dualStackServer.Stream);
    }

    private async Task SetupPlainAsync()
    {
        var address = IPAddress.Parse(Address);
        _plainListener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _plainListener.Bind(new IPEndPoint(address, 0));
        _plainListener.Listen();
        var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var connected = client.ConnectAsync(_plainListener.LocalEndPoint!);
        _plainServer = new NetworkStream(await _plainListener.AcceptAsync(), ownsSocket: true);
        await connected;
        _plainClient = new NetworkStream(client, ownsSocket: true);
        _plainEcho = EchoServerAsync(_plainServer);
    }

    private async Task CleanupAsync()
    {
        // Closing the clients ends the echo loops (end of stream); then the servers and listeners go.
        // Each field is cleared once disposed, so that a second call does nothing.
        _dualStackClient?.Dispose();
        _dualStackClient = null;
        _plainClient?.Dispose();
        _plainClient = null;
        await Task.WhenAll(_dualStackEcho, _plainEcho);
        _dualStackServer?.Dispose();
        _dualStackServer = null;
        _plainServer?.Dispose();
        _plainServer = null;
        if (_dualStackListener is not null)
        {
            await _dualStackListener.DisposeAsync();
            _dualStackListener = null;
        }

        _plainListener?.Dispose();
        _plainListener = null;
    }

    private async Task EchoAsync(Stream stream)
    {
        var writing = WriteAllAsync(stream);
        long remaining = (long)TotalMiB * MiB;
        while (remaining > 0)
        {
            int n = await stream.ReadAsync(_readBuffer);
            remaining -= n > 0 ? n : throw new IOException("the echo server closed early");
        }

        await writing;
    }

    private async Task WriteAllAsync(Stream stream)
    {
        for (int i = 0; i < TotalMiB * MiB / ChunkSize; i++)
        {
            await stream.WriteAsync(_writeBuffer);
        }
    }

    private static async Task EchoServerAsync(Stream stream)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        catch (IOException)
        {
            // The client reset the connection while cleaning up.
        }
    }
}
