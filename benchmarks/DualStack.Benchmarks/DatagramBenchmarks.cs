using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace DualStack.Benchmarks;

/// <summary>
/// Datagrams sent and received on loopback: a <see cref="UdpSocket"/> pair against a plain <see cref="Socket"/> pair
/// using <see cref="Socket.SendToAsync(ReadOnlyMemory{byte}, SocketFlags, EndPoint, CancellationToken)"/> and
/// <see cref="Socket.ReceiveFromAsync(Memory{byte}, SocketFlags, EndPoint, CancellationToken)"/>, the way .NET's docs
/// show them.
/// </summary>
/// <remarks>
/// One operation is one 64-byte datagram sent by one socket and received by the other, in lock step so that none is
/// dropped (loopback drops what a full receive buffer cannot hold); the figure of merit is datagrams per second. The
/// message pair compares <see cref="UdpSocket.ReceiveMessageAsync"/> (local address and interface reported) with
/// <see cref="Socket.ReceiveMessageFromAsync(Memory{byte}, SocketFlags, EndPoint, CancellationToken)"/>.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(LoopbackBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class DatagramBenchmarks : IDisposable
{
    private const int Datagrams = 1000;

    private readonly byte[] _payload = new byte[64];
    private readonly byte[] _buffer = new byte[2048];

    private Socket? _plainSender;
    private Socket? _plainReceiver;
    private EndPoint _plainDestination = new IPEndPoint(IPAddress.Loopback, 0);
    private EndPoint _plainAny = new IPEndPoint(IPAddress.Any, 0);

    private UdpSocket? _sender;
    private UdpSocket? _receiver;
    private IPEndPoint _destination = new(IPAddress.Loopback, 0);

    /// <summary>The loopback address the datagrams travel over.</summary>
    [Params("127.0.0.1", "::1")]
    public string Address { get; set; } = "";

    /// <summary>Sets up both sides, for <see cref="PairedComparison"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var address = IPAddress.Parse(Address);
        _plainReceiver = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _plainReceiver.Bind(new IPEndPoint(address, 0));
        _plainSender = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _plainSender.Bind(new IPEndPoint(address, 0));
        _plainDestination = _plainReceiver.LocalEndPoint!;
        _plainAny = new IPEndPoint(address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

        _receiver = new UdpEndpoint(address, 0).Bind();
        _sender = new UdpEndpoint(address, 0).Bind();
        _destination = _receiver.LocalEndPoint;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _plainSender?.Dispose();
        _plainReceiver?.Dispose();
        _sender?.Dispose();
        _receiver?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Datagrams)]
    public async Task PlainSendToReceiveFrom()
    {
        for (int i = 0; i < Datagrams; i++)
        {
            await _plainSender!.SendToAsync(_payload, SocketFlags.None, _plainDestination);
            var received = await _plainReceiver!.ReceiveFromAsync(_buffer, SocketFlags.None, _plainAny);
            Check(received.ReceivedBytes);
        }
    }

    [Benchmark(OperationsPerInvoke = Datagrams)]
    public async Task DualStackSendToReceive()
    {
        for (int i = 0; i < Datagrams; i++)
        {
            await _sender!.SendToAsync(_payload, _destination);
            var received = await _receiver!.ReceiveAsync(_buffer);
            Check(received.Length);
        }
    }

    [Benchmark(OperationsPerInvoke = Datagrams)]
    public async Task PlainSendToReceiveMessageFrom()
    {
        for (int i = 0; i < Datagrams; i++)
        {
            await _plainSender!.SendToAsync(_payload, SocketFlags.None, _plainDestination);
            var received = await _plainReceiver!.ReceiveMessageFromAsync(_buffer, SocketFlags.None, _plainAny);
            Check(received.ReceivedBytes);
        }
    }

    [Benchmark(OperationsPerInvoke = Datagrams)]
    public async Task DualStackSendToReceiveMessage()
    {
        for (int i = 0; i < Datagrams; i++)
        {
            await _sender!.SendToAsync(_payload, _destination);
            var received = await _receiver!.ReceiveMessageAsync(_buffer);
            Check(received.Length);
        }
    }

    private void Check(int length)
    {
        if (length != _payload.Length)
        {
            throw new InvalidOperationException($"received {length} bytes, sent {_payload.Length}");
        }
    }
}
