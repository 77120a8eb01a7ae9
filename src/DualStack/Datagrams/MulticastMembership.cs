using System.Net;

namespace DualStack;

/// <summary>A multicast group a <see cref="UdpSocket"/> joined; dispose it to leave the group.</summary>
public sealed class MulticastMembership : IDisposable
{
    private readonly UdpSocket _socket;
    private int _left;

    internal MulticastMembership(UdpSocket socket, IPAddress group, IPAddress? source, int interfaceIndex)
    {
        _socket = socket;
        Group = group;
        Source = source;
        InterfaceIndex = interfaceIndex;
    }

    /// <summary>The group's address.</summary>
    public IPAddress Group { get; }

    /// <summary>The one sender heard, for a source-specific join; otherwise <see langword="null"/>.</summary>
    public IPAddress? Source { get; }

    /// <summary>The index of the interface the group was joined on; 0 if the OS chose.</summary>
    public int InterfaceIndex { get; }

    /// <summary>Leaves the group: no more datagrams sent to it arrive. Does nothing once left or once the socket is closed.</summary>
    /// <exception cref="UdpException">The OS refused to leave.</exception>
    public void Leave()
    {
        if (Interlocked.Exchange(ref _left, 1) == 0 && !_socket.Socket.SafeHandle.IsClosed)
        {
            _socket.Leave(this);
        }
    }

    /// <summary>Leaves the group, as <see cref="Leave"/> does.</summary>
    public void Dispose() => Leave();

    /// <summary>Describes the membership, such as <c>ff02::1:3 on 2</c> or <c>232.1.1.1 from 192.0.2.1 on 2</c>.</summary>
    public override string ToString() =>
        $"{IPLiteral.FormatAddress(Group)}{(Source is null ? string.Empty : $" from {IPLiteral.FormatAddress(Source)}")} on {InterfaceIndex}";
}
