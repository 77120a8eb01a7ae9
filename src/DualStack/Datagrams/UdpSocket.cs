using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// A bound UDP socket: send to and receive from IPv6 and IPv4 peers with zones kept, optionally connected to one
/// peer, and multicast (<see cref="JoinGroup(IPAddress, int)"/>). Made by <see cref="UdpEndpoint.Bind"/>.
/// </summary>
/// <remarks>
/// <para>
/// The hot path allocates nothing per datagram: sends reuse the socket address of the last destination, receives
/// reuse the <see cref="IPEndPoint"/> of the last sender, and the calls return <see cref="ValueTask"/>s backed by the
/// socket's reusable operations. <see cref="ReceiveMessageAsync"/> also reports the local address and interface,
/// which costs an allocation per datagram. Any number of sends and receives may run at once.
/// </para>
/// <para>
/// On an IPv6-only host, an IPv4 destination is reached through the network's NAT64 translator: when this host has no
/// IPv4 route to it (a dual-mode socket finds out when a send fails with "network unreachable"), the network's NAT64
/// prefix is discovered (<see cref="Nat64"/>, through the system resolver, cached) and the datagram goes to the
/// synthesised IPv6 address instead. Replies from addresses
/// under that prefix are reported as coming from the IPv4 address they stand for, so the application sees the peer it
/// asked for. <see cref="UdpEndpoint.SynthesizeNat64"/> turns this off.
/// </para>
/// <para>
/// Errors are <see cref="UdpException"/>s naming the operation and peer. Only a connected socket hears ICMP errors
/// (port unreachable arrives as <see cref="SocketError.ConnectionRefused"/> on a later send or receive); an
/// unconnected socket cannot tell which send they belong to, so the OS drops them.
/// </para>
/// </remarks>
public sealed partial class UdpSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _anyEndPoint;
    private readonly int _addressSize;
    private SendTarget? _lastTarget;
    private ReceiveSource? _lastSource;
    private SocketAddress? _spareAddress;
    private IPEndPoint? _remoteEndPoint;
    private int _multicastInterface;
    private Nat64Prefix? _nat64Prefix;

    internal UdpSocket(Socket socket)
    {
        _socket = socket;
        _anyEndPoint = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        _addressSize = SocketAddress.GetMaximumAddressSize(socket.AddressFamily);
    }

    /// <summary>The socket itself, for options DualStack does not wrap. Do not close it; dispose this object.</summary>
    public Socket Socket => _socket;

    /// <summary>The bound address and port, IPv4-mapped addresses as IPv4; once connected, the address the OS chose.</summary>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public IPEndPoint LocalEndPoint => IPLiteral.Unmap((IPEndPoint)_socket.LocalEndPoint!);

    /// <summary>The peer given to <see cref="Connect"/>, or <see langword="null"/> while unconnected.</summary>
    public IPEndPoint? RemoteEndPoint => _remoteEndPoint;

    // <summary>Whether an IPv4 destination without a route is reached through NAT64 (see <see cref="UdpEndpoint.SynthesizeNat64"/>).</summary>
    internal bool SynthesizeNat64 { get; init; }

    // <summary>Whether this host has an IPv4 route to an address (tests stand in for an IPv6-only host).</summary>
    internal Func<IPAddress, bool> HasIPv4Route { get; set; } = Nat64.HasIPv4Route;

    // <summary>Where the NAT64 prefix is discovered (tests give a resolver of their own).</summary>
    internal IHostResolver Nat64Resolver { get; set; } = SystemResolver.Instance;

    /// <summary>Whether the socket sends and receives both families (an IPv6 socket with <c>IPV6_V6ONLY</c> off).</summary>
    public bool IsDualMode => _socket.AddressFamily == AddressFamily.InterNetworkV6 && _socket.DualMode;

    /// <summary>
    /// Connects to one peer: from now on only its datagrams arrive, <see cref="SendAsync"/> sends to it, and ICMP errors
    /// about it (port unreachable, host unreachable) fail a later send or receive with a <see cref="UdpException"/>.
    /// </summary>
    /// <remarks>UDP connecting exchanges no packets; it sets the socket's peer and source address, so it is synchronous.</remarks>
    /// <param name="remoteEndPoint">The peer; a link-local IPv6 address needs its zone.</param>
    /// <exception cref="ArgumentNullException"><paramref name="remoteEndPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The peer's family cannot be reached from this socket (IPv6 from an IPv4 socket, or the reverse).</exception>
    /// <remarks>
    /// On an IPv6-only host, connecting to an IPv4 peer waits for the NAT64 prefix discovery (a DNS query, answered from
    /// the cache after the first time) and connects to the synthesised address; <see cref="RemoteEndPoint"/> stays the
    /// IPv4 peer.
    /// </remarks>
    /// <exception cref="UdpException">The OS refused (for example, no route to the peer).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public void Connect(IPEndPoint remoteEndPoint)
    {
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        var peer = IPLiteral.Unmap(remoteEndPoint);
        var target = NeedsNat64(peer)
            ? SynthesizeAsync(peer, "connect", CancellationToken.None).AsTask().GetAwaiter().GetResult()
            : SocketEndPoint(peer, nameof(remoteEndPoint));
        try
        {
            _socket.Connect(target);
        }
        catch (SocketException e)
        {
            throw new UdpException("connect", peer, e);
        }

        _remoteEndPoint = peer;
    }

    /// <summary>Sends one datagram to the connected peer.</summary>
    /// <param name="datagram">The payload, sent as one datagram.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The number of bytes sent.</returns>
    /// <exception cref="InvalidOperationException">The socket is not connected.</exception>
    /// <exception cref="UdpException">The OS reported an error, such as an ICMP port unreachable for an earlier datagram.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken = default)
    {
        var peer = _remoteEndPoint ?? throw new InvalidOperationException("the UDP socket is not connected; use SendToAsync or Connect first");
        var send = _socket.SendAsync(datagram, SocketFlags.None, cancellationToken);
        return send.IsCompletedSuccessfully ? send : CompleteAsync(send, "send", peer);
    }

    /// <summary>Sends one datagram to <paramref name="remoteEndPoint"/>.</summary>
    /// <param name="datagram">The payload, sent as one datagram.</param>
    /// <param name="remoteEndPoint">The destination; a link-local IPv6 address needs its zone, which picks the interface.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>The number of bytes sent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="remoteEndPoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The destination's family cannot be reached from this socket.</exception>
    /// <exception cref="UdpException">The OS reported an error (no route, datagram too large…).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public ValueTask<int> SendToAsync(ReadOnlyMemory<byte> datagram, IPEndPoint remoteEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        SendTarget target;
        try
        {
            target = TargetFor(remoteEndPoint);
        }
        catch (ArgumentException) when (NeedsNat64(IPLiteral.Unmap(remoteEndPoint)))
        {
            // IPv4 from an IPv6-only socket, on a host without IPv4: through NAT64 it can be reached after all.
            return SendThroughNat64Async(datagram, remoteEndPoint, cancellationToken);
        }

        var send = _socket.SendToAsync(datagram, SocketFlags.None, target.Address, cancellationToken);
        return send.IsCompletedSuccessfully ? send : SendToSlowAsync(send, datagram, target.EndPoint, cancellationToken);
    }

    /// <summary>Receives one datagram and its sender.</summary>
    /// <remarks>A datagram larger than <paramref name="buffer"/> is cut to its size; 65,527 bytes hold any UDP datagram.</remarks>
    /// <param name="buffer">Where the datagram is written.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The datagram's length and sender; <see cref="ReceivedDatagram.LocalAddress"/> is <see langword="null"/>.</returns>
    /// <exception cref="UdpException">The OS reported an error: on a connected socket, an ICMP error about the peer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed, before or during the receive.</exception>
    public ValueTask<ReceivedDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remoteEndPoint is { } peer)
        {
            var receive = _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            return receive.IsCompletedSuccessfully
                ? ValueTask.FromResult(new ReceivedDatagram(receive.Result, peer, null, 0))
                : ReceiveConnectedAsync(receive, peer);
        }

        var address = Interlocked.Exchange(ref _spareAddress, null) ?? new SocketAddress(_socket.AddressFamily, _addressSize);
        address.Size = _addressSize;
        var receiveFrom = _socket.ReceiveFromAsync(buffer, SocketFlags.None, address, cancellationToken);
        return receiveFrom.IsCompletedSuccessfully
            ? ValueTask.FromResult(new ReceivedDatagram(receiveFrom.Result, SenderOf(address), null, 0))
            : ReceiveFromAsync(receiveFrom, address);
    }

    /// <summary>Receives one datagram with its sender, the local address it was sent to and the interface it came in on.</summary>
    /// <remarks>
    /// Asks the OS for packet information (<c>IPV6_RECVPKTINFO</c>, <c>IP_PKTINFO</c>); unlike <see cref="ReceiveAsync"/>
    /// this allocates per datagram. A multicast datagram reports the group as its local address.
    /// </remarks>
    /// <param name="buffer">Where the datagram is written.</param>
    /// <param name="cancellationToken">Cancels the receive.</param>
    /// <returns>The datagram's length, sender, local address and interface index.</returns>
    /// <exception cref="UdpException">The OS reported an error: on a connected socket, an ICMP error about the peer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed, before or during the receive.</exception>
    public async ValueTask<ReceivedDatagram> ReceiveMessageAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, _anyEndPoint, cancellationToken).ConfigureAwait(false);
            var packet = result.PacketInformation;
            var local = packet.Address is { } address ? IPLiteral.Unmap(address) : null;
            if (local is { AddressFamily: AddressFamily.InterNetworkV6, IsIPv6LinkLocal: true } && packet.Interface > 0)
            {
                local.ScopeId = packet.Interface;
            }

            return new ReceivedDatagram(result.ReceivedBytes, Untranslated(IPLiteral.Unmap((IPEndPoint)result.RemoteEndPoint)), local, packet.Interface);
        }
        catch (SocketException e)
        {
            throw Failure("receive", _remoteEndPoint, e);
        }
    }

    /// <summary>Closes the socket, which also leaves every multicast group it joined. Safe to call twice.</summary>
    public void Dispose() => _socket.Dispose();

    /// <summary>Describes the socket by its local endpoint, such as <c>udp [::]:5353</c>.</summary>
    public override string ToString()
    {
        try
        {
            return $"udp {IPLiteral.FormatEndPoint(LocalEndPoint)}";
        }
        catch (ObjectDisposedException)
        {
            return "udp (closed)";
        }
    }

    private async ValueTask<int> CompleteAsync(ValueTask<int> operation, string name, IPEndPoint peer)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw Failure(name, peer, e);
        }
    }

    // A send that did not complete at once; one that failed for want of an IPv4 route goes again through NAT64.
    private async ValueTask<int> SendToSlowAsync(ValueTask<int> send, ReadOnlyMemory<byte> datagram, IPEndPoint remoteEndPoint, CancellationToken cancellationToken)
    {
        try
        {
            return await send.ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            if (e.SocketErrorCode != SocketError.NetworkUnreachable || !NeedsNat64(IPLiteral.Unmap(remoteEndPoint)))
            {
                throw Failure("send", remoteEndPoint, e);
            }
        }

        return await SendThroughNat64Async(datagram, remoteEndPoint, cancellationToken).ConfigureAwait(false);
    }

    // Sends to the address synthesised for an IPv4 destination, which later sends to it reuse (the last target).
    private async ValueTask<int> SendThroughNat64Async(ReadOnlyMemory<byte> datagram, IPEndPoint remoteEndPoint, CancellationToken cancellationToken)
    {
        var peer = IPLiteral.Unmap(remoteEndPoint);
        var target = new SendTarget(remoteEndPoint, (await SynthesizeAsync(peer, "send", cancellationToken).ConfigureAwait(false)).Serialize());
        _lastTarget = target;
        return await CompleteAsync(_socket.SendToAsync(datagram, SocketFlags.None, target.Address, cancellationToken), "send", peer).ConfigureAwait(false);
    }

    // Whether an IPv4 peer is to be reached through NAT64: asked for, an IPv6 socket, and no IPv4 route to it.
    private bool NeedsNat64(IPEndPoint peer) =>
        SynthesizeNat64 && _socket.AddressFamily == AddressFamily.InterNetworkV6 && peer.AddressFamily == AddressFamily.InterNetwork && !HasIPv4Route(peer.Address);

    // The IPv6 endpoint that reaches an IPv4 peer through the network's NAT64 prefix (the first one discovered), which
    // from now on also maps replies back; a UdpException saying why when the network has none.
    private async ValueTask<IPEndPoint> SynthesizeAsync(IPEndPoint peer, string operation, CancellationToken cancellationToken)
    {
        try
        {
            var prefix = (await Nat64.DiscoverAsync(Nat64Resolver, TimeProvider.System, cancellationToken).ConfigureAwait(false))[0];
            _nat64Prefix = prefix;
            return new IPEndPoint(prefix.Synthesize(peer.Address), peer.Port);
        }
        catch (HostResolutionException e)
        {
            throw new UdpException(operation, peer, new NoIPv4RouteException(Nat64.NoRouteMessage(peer.Address, e)));
        }
    }

    // A sender under the NAT64 prefix this socket sends through is the IPv4 peer it stands for.
    private IPEndPoint Untranslated(IPEndPoint sender) =>
        _nat64Prefix is { } prefix && prefix.TryExtract(sender.Address, out var ipv4) ? new IPEndPoint(ipv4, sender.Port) : sender;

    private async ValueTask<ReceivedDatagram> ReceiveConnectedAsync(ValueTask<int> receive, IPEndPoint peer)
    {
        int length = await CompleteAsync(receive, "receive", peer).ConfigureAwait(false);
        return new ReceivedDatagram(length, peer, null, 0);
    }

    private async ValueTask<ReceivedDatagram> ReceiveFromAsync(ValueTask<int> receive, SocketAddress address)
    {
        int length;
        try
        {
            length = await receive.ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw Failure("receive", null, e);
        }

        return new ReceivedDatagram(length, SenderOf(address), null, 0);
    }

    // The sender's endpoint, the previous one again when the same peer sent it (no allocation); returns the address
    // buffer for the next receive to use.
    private IPEndPoint SenderOf(SocketAddress address)
    {
        var last = _lastSource;
        IPEndPoint sender;
        if (last is not null && last.Address.Equals(address))
        {
            sender = last.EndPoint;
        }
        else
        {
            sender = Untranslated(IPLiteral.Unmap((IPEndPoint)_anyEndPoint.Create(address)));
            var copy = new SocketAddress(address.Family, address.Size);
            address.Buffer[..address.Size].CopyTo(copy.Buffer);
            _lastSource = new ReceiveSource(copy, sender);
        }

        _spareAddress = address;
        return sender;
    }

    // The socket address for a destination, the previous one again for the same destination (no allocation).
    private SendTarget TargetFor(IPEndPoint remoteEndPoint)
    {
        var last = _lastTarget;
        if (last is not null && (ReferenceEquals(last.EndPoint, remoteEndPoint) || last.EndPoint.Equals(remoteEndPoint)))
        {
            return last;
        }

        var peer = IPLiteral.Unmap(remoteEndPoint);
        var target = new SendTarget(remoteEndPoint, SocketEndPoint(peer, nameof(remoteEndPoint)).Serialize());
        _lastTarget = target;
        return target;
    }

    // The peer as this socket's family writes it: IPv4 as IPv4-mapped IPv6 on a dual-mode socket (a family
    // the socket cannot reach is an argument error before anything is sent).
    private IPEndPoint SocketEndPoint(IPEndPoint peer, string paramName)
    {
        if (_socket.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (peer.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return peer;
            }

            return IsDualMode
                ? new IPEndPoint(peer.Address.MapToIPv6(), peer.Port)
                : throw new ArgumentException($"{IPLiteral.FormatEndPoint(peer)} is IPv4 and this socket is IPv6 only (bind '*' for both families)", paramName);
        }

        return peer.AddressFamily == AddressFamily.InterNetwork
            ? peer
            : throw new ArgumentException($"{IPLiteral.FormatEndPoint(peer)} is IPv6 and this socket is IPv4 only (bind '*' for both families)", paramName);
    }

    // A receive pending when the socket is closed fails with OperationAborted: report the closing, not an OS error.
    private Exception Failure(string operation, IPEndPoint? peer, SocketException e) =>
        e.SocketErrorCode == SocketError.OperationAborted && _socket.SafeHandle.IsClosed
            ? new ObjectDisposedException($"the UDP socket was closed during the {operation}", e)
            : new UdpException(operation, peer, e);

    private sealed record SendTarget(IPEndPoint EndPoint, SocketAddress Address);

    private sealed record ReceiveSource(SocketAddress Address, IPEndPoint EndPoint);
}
