using System.Net;
using System.Net.Sockets;
using DualStack.Internal;

namespace DualStack;

// Multicast: joins (any-source and source-specific) and the outgoing options, per family.
public sealed partial class UdpSocket
{
    /// <summary>
    /// Joins <paramref name="group"/> on the interface with index <paramref name="interfaceIndex"/>: datagrams sent to
    /// the group and this socket's port arrive until the membership is disposed or the socket closed.
    /// </summary>
    /// <remarks>
    /// An IPv6 socket joins IPv6 groups, and IPv4 groups too when dual-mode; an IPv4 socket joins IPv4 groups. Bind the
    /// wildcard address (or the interface) with the group's port; set <see cref="UdpEndpoint.ReuseAddress"/> when other
    /// programs listen on that port as well. Index 0 lets the OS choose the interface by its routes: avoid it, the
    /// choice is rarely the one meant.
    /// </remarks>
    /// <param name="group">A multicast address, IPv6 (<c>ff02::1:3</c>) or IPv4 (<c>224.0.0.252</c>).</param>
    /// <param name="interfaceIndex">The interface's index (<see cref="LocalInterface.Index"/>); 0 lets the OS choose.</param>
    /// <returns>The membership; dispose it to leave the group.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="group"/> is not a multicast address, or not of a family this socket receives.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interfaceIndex"/> is negative.</exception>
    /// <exception cref="UdpException">The OS refused the join (for example, the interface has no multicast).</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public MulticastMembership JoinGroup(IPAddress group, int interfaceIndex) => Join(group, null, interfaceIndex);

    /// <summary>Joins <paramref name="group"/> on the interface named <paramref name="interfaceName"/>; see <see cref="JoinGroup(IPAddress, int)"/>.</summary>
    /// <param name="group">A multicast address, IPv6 or IPv4.</param>
    /// <param name="interfaceName">The interface's name, such as <c>eth0</c>.</param>
    /// <returns>The membership; dispose it to leave the group.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/> or <paramref name="interfaceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No interface has that name, or <paramref name="group"/> is not a multicast address of a family this socket receives.</exception>
    /// <exception cref="UdpException">The OS refused the join.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public MulticastMembership JoinGroup(IPAddress group, string interfaceName) => Join(group, null, IndexOf(interfaceName));

    /// <summary>
    /// Joins <paramref name="group"/> for datagrams from <paramref name="source"/> only (source-specific multicast,
    /// RFC 4607) on the interface with index <paramref name="interfaceIndex"/>.
    /// </summary>
    /// <remarks>Supported on Linux (<c>MCAST_JOIN_SOURCE_GROUP</c>); elsewhere a <see cref="PlatformNotSupportedException"/>.</remarks>
    /// <param name="group">A multicast address, IPv6 or IPv4; SSM ranges are <c>ff3x::/32</c> and <c>232.0.0.0/8</c>, but any group works on Linux.</param>
    /// <param name="source">The one sender to hear, of the group's family.</param>
    /// <param name="interfaceIndex">The interface's index; 0 lets the OS choose.</param>
    /// <returns>The membership; dispose it to leave.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="group"/> or <paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The group is not multicast, or the source is of another family.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interfaceIndex"/> is negative.</exception>
    /// <exception cref="PlatformNotSupportedException">The OS has no source-specific joins that DualStack supports.</exception>
    /// <exception cref="UdpException">The OS refused the join.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public MulticastMembership JoinSourceGroup(IPAddress group, IPAddress source, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Join(group, source, interfaceIndex);
    }

    /// <summary>Joins <paramref name="group"/> for datagrams from <paramref name="source"/> only, on the interface named <paramref name="interfaceName"/>; see <see cref="JoinSourceGroup(IPAddress, IPAddress, int)"/>.</summary>
    /// <param name="group">A multicast address, IPv6 or IPv4.</param>
    /// <param name="source">The one sender to hear, of the group's family.</param>
    /// <param name="interfaceName">The interface's name.</param>
    /// <returns>The membership; dispose it to leave.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No interface has that name, the group is not multicast, or the source is of another family.</exception>
    /// <exception cref="PlatformNotSupportedException">The OS has no source-specific joins that DualStack supports.</exception>
    /// <exception cref="UdpException">The OS refused the join.</exception>
    /// <exception cref="ObjectDisposedException">The socket is closed.</exception>
    public MulticastMembership JoinSourceGroup(IPAddress group, IPAddress source, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Join(group, source, IndexOf(interfaceName));
    }

    /// <summary>The interface multicast datagrams are sent from, by index; 0 lets the OS choose by its routes.</summary>
    /// <remarks>
    /// Defaults to 0. Set it before sending to a group: the OS's choice is the interface of the default route, usually
    /// not the link meant. A dual-mode socket sets it for both families. A destination zone (<c>[ff02::1%eth0]:5353</c>)
    /// also picks the interface, for that datagram.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    /// <exception cref="UdpException">The OS refused the interface.</exception>
    public int MulticastInterface
    {
        get => _multicastInterface;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            SetPerFamily("set the multicast interface", SocketOptionName.MulticastInterface, value, IPAddress.HostToNetworkOrder(value));
            _multicastInterface = value;
        }
    }

    /// <summary>The hop limit (IPv6) or TTL (IPv4) of multicast datagrams sent: how many routers they may cross.</summary>
    /// <remarks>Defaults to 1: the local link only. A dual-mode socket sets both families.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0-255.</exception>
    /// <exception cref="UdpException">The OS refused the value.</exception>
    public int MulticastHopLimit
    {
        get => (int)_socket.GetSocketOption(PrimaryLevel, SocketOptionName.MulticastTimeToLive)!;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, byte.MaxValue);
            SetPerFamily("set the multicast hop limit", SocketOptionName.MulticastTimeToLive, value, value);
        }
    }

    /// <summary>Whether multicast datagrams this socket sends are also delivered to the sending host's own members.</summary>
    /// <remarks>Defaults to <see langword="true"/> (the OS default). A dual-mode socket sets both families.</remarks>
    /// <exception cref="UdpException">The OS refused the value.</exception>
    public bool MulticastLoopback
    {
        get => (int)_socket.GetSocketOption(PrimaryLevel, SocketOptionName.MulticastLoopback)! != 0;
        set => SetPerFamily("set multicast loopback", SocketOptionName.MulticastLoopback, value ? 1 : 0, value ? 1 : 0);
    }

    private SocketOptionLevel PrimaryLevel =>
        _socket.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP;

    internal void Leave(MulticastMembership membership)
    {
        var endPoint = new IPEndPoint(membership.Group, 0);
        try
        {
            SetMembership(join: false, membership.Group, membership.Source, membership.InterfaceIndex);
        }
        catch (SocketException e)
        {
            throw new UdpException("leave", endPoint, e);
        }
    }

    private static int IndexOf(string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        return InterfaceNames.TryGetIndex(interfaceName, out uint index)
            ? (int)index
            : throw new ArgumentException($"no interface named '{interfaceName}'", nameof(interfaceName));
    }

    private MulticastMembership Join(IPAddress group, IPAddress? source, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        group = IPLiteral.Unmap(group);
        bool v6 = group.AddressFamily == AddressFamily.InterNetworkV6;
        if (!(v6 ? group.IsIPv6Multicast : IsIPv4Multicast(group)))
        {
            throw new ArgumentException($"{IPLiteral.FormatAddress(group)} is not a multicast address", nameof(group));
        }

        if (v6 ? _socket.AddressFamily != AddressFamily.InterNetworkV6 : !(IsDualMode || _socket.AddressFamily == AddressFamily.InterNetwork))
        {
            throw new ArgumentException($"{IPLiteral.FormatAddress(group)} is {(v6 ? "IPv6 and this socket is IPv4" : "IPv4 and this socket is IPv6")} only", nameof(group));
        }

        if (source is not null && IPLiteral.Unmap(source).AddressFamily != group.AddressFamily)
        {
            throw new ArgumentException($"source {IPLiteral.FormatAddress(source)} is not of the family of group {IPLiteral.FormatAddress(group)}", nameof(source));
        }

        source = source is null ? null : IPLiteral.Unmap(source);
        try
        {
            SetMembership(join: true, group, source, interfaceIndex);
        }
        catch (SocketException e)
        {
            throw new UdpException("join", new IPEndPoint(group, 0), e);
        }

        return new MulticastMembership(this, group, source, interfaceIndex);
    }

    private void SetMembership(bool join, IPAddress group, IPAddress? source, int interfaceIndex)
    {
        if (source is not null)
        {
            SocketOptions.SetSourceMembership(_socket, join, group, source, interfaceIndex);
            return;
        }

        var name = join ? SocketOptionName.AddMembership : SocketOptionName.DropMembership;
        if (group.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.SetSocketOption(SocketOptionLevel.IPv6, name, new IPv6MulticastOption(group, interfaceIndex));
        }
        else
        {
            // IPv4 options on an IPv6 socket: Linux hands SOL_IP options of a dual-mode socket to its IPv4 half.
            _socket.SetSocketOption(SocketOptionLevel.IP, name, new MulticastOption(group, interfaceIndex));
        }
    }

    // An IPv6 socket takes the IPv6 option, and the IPv4 one as well when dual-mode; an IPv4 socket the IPv4 one.
    // IP_MULTICAST_IF takes an index in network byte order (.NET's convention for an integer value).
    private void SetPerFamily(string operation, SocketOptionName name, int ipv6Value, int ipv4Value)
    {
        try
        {
            if (_socket.AddressFamily == AddressFamily.InterNetworkV6)
            {
                _socket.SetSocketOption(SocketOptionLevel.IPv6, name, ipv6Value);
            }

            if (_socket.AddressFamily == AddressFamily.InterNetwork || IsDualMode)
            {
                _socket.SetSocketOption(SocketOptionLevel.IP, name, ipv4Value);
            }
        }
        catch (SocketException e)
        {
            throw new UdpException(operation, null, e);
        }
    }

    private static bool IsIPv4Multicast(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return bytes[0] is >= 224 and <= 239;
    }
}
