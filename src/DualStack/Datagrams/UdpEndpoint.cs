using System.Net;
using System.Net.Sockets;
using DualStack.Internal;

namespace DualStack;

/// <summary>
/// Where a UDP socket binds: one address (a zoned IPv6 literal too), every interface and family, or one interface.
/// </summary>
/// <remarks>
/// <para>
/// As for <see cref="TcpServerEndpoint"/>: <c>new UdpEndpoint(port)</c> binds <c>0.0.0.0</c> (IPv4 only),
/// <c>new UdpEndpoint(IPAddress.IPv6Any, port)</c> binds <c>::</c> (IPv6 only), <see cref="AllInterfaces(int)"/>
/// (<c>*</c>) one dual-mode socket that sends to and receives from both families. Unlike a TCP listener, a UDP endpoint
/// is always one socket: datagrams carry no connection that could tie them to one of several sockets.
/// <see cref="ForInterface(string, int)"/> therefore binds the wildcard address and restricts the socket to the
/// interface (<c>SO_BINDTODEVICE</c> on Linux), which also covers addresses the interface gains later.
/// </para>
/// <para>
/// Port 0 lets the OS choose; read it back from <see cref="UdpSocket.LocalEndPoint"/>.
/// </para>
/// </remarks>
public sealed record UdpEndpoint
{
    /// <summary>Binds <c>0.0.0.0</c> (every IPv4 address) at <paramref name="port"/>.</summary>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public UdpEndpoint(int port)
        : this(ListenScope.Address, IPAddress.Any, null, port)
    {
    }

    /// <summary>Binds exactly <paramref name="address"/>; <see cref="IPAddress.IPv6Any"/> is IPv6 only.</summary>
    /// <param name="address">The local address; an IPv6 link-local address needs its zone (scope id).</param>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public UdpEndpoint(IPAddress address, int port)
        : this(ListenScope.Address, address ?? throw new ArgumentNullException(nameof(address)), null, port)
    {
    }

    private UdpEndpoint(ListenScope scope, IPAddress? address, string? interfaceName, int port)
    {
        EndpointArguments.ThrowIfInvalidPort(port, nameof(port));
        Scope = scope;
        Address = address;
        InterfaceName = interfaceName;
        Port = port;
    }

    /// <summary>
    /// Which local addresses are bound: <see cref="ListenScope.Address"/>, <see cref="ListenScope.AllInterfaces"/>
    /// or <see cref="ListenScope.Interface"/>.
    /// </summary>
    public ListenScope Scope { get; }

    /// <summary>The address, for <see cref="ListenScope.Address"/>; otherwise <see langword="null"/>.</summary>
    public IPAddress? Address { get; }

    /// <summary>The interface's name, for <see cref="ListenScope.Interface"/>; otherwise <see langword="null"/>.</summary>
    public string? InterfaceName { get; }

    /// <summary>The port; 0 lets the OS choose.</summary>
    public int Port { get; }

    /// <summary>Whether other sockets may bind the same address and port (<c>SO_REUSEADDR</c>).</summary>
    /// <remarks>
    /// Defaults to <see langword="false"/>. Set it on multicast receivers that share a port with other programs,
    /// as every multicast receiver of a well-known port must. Risky on unicast ports: another program can then bind
    /// the same port and take datagrams meant for this one.
    /// </remarks>
    public bool ReuseAddress { get; init; }

    /// <summary>
    /// Whether the socket reaches an IPv4 address this host has no IPv4 route to (on an IPv6-only network) through the
    /// network's NAT64 translator; see <see cref="UdpSocket.SendToAsync"/>.
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>. Needs an IPv6 socket (<see cref="AllInterfaces"/>, or an IPv6 address).</remarks>
    public bool SynthesizeNat64 { get; init; } = true;

    /// <summary>Binds every interface and family (<c>*</c>): one dual-mode socket, or <c>0.0.0.0</c> where the host has no IPv6.</summary>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public static UdpEndpoint AllInterfaces(int port) => new(ListenScope.AllInterfaces, null, null, port);

    /// <summary>Binds every address of the interface <paramref name="name"/>, both families, and only them.</summary>
    /// <param name="name">The interface's name, such as <c>eth0</c>; it must exist when binding.</param>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> cannot be an interface name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public static UdpEndpoint ForInterface(string name, int port)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!InterfaceNames.IsPlausibleName(name))
        {
            throw new ArgumentException($"'{name}' is not an interface name", nameof(name));
        }

        return new(ListenScope.Interface, null, name, port);
    }

    /// <summary>Creates and binds the socket.</summary>
    /// <returns>The bound socket; dispose it to close it.</returns>
    /// <exception cref="ListenException">The address cannot be bound (in use, not local) or the interface does not exist.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="ListenScope.Interface"/> on an OS without <c>SO_BINDTODEVICE</c>.</exception>
    public UdpSocket Bind()
    {
        var (address, dualMode) = Scope switch
        {
            ListenScope.Address => (Address!, false),
            _ when DualMode.IsSupported => (IPAddress.IPv6Any, true),
            _ => (IPAddress.Any, false),
        };

        var local = new IPEndPoint(address, Port);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = dualMode;
            }

            if (ReuseAddress)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            if (Scope == ListenScope.Interface)
            {
                if (!InterfaceNames.TryGetIndex(InterfaceName!, out _))
                {
                    throw new ListenException(ToString(), [], $"no interface named '{InterfaceName}'");
                }

                SocketOptions.BindToDevice(socket, InterfaceName!);
            }

            socket.Bind(local);
            return new UdpSocket(socket) { SynthesizeNat64 = SynthesizeNat64 };
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenException(ToString(), [new(local, e)], "the socket cannot be bound");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The endpoint's URI-style description, such as <c>udp://*:5353</c>.</summary>
    public override string ToString() => EndpointText.Of(this);
}
