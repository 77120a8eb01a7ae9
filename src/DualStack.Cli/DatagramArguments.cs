using System.Net;
using System.Net.Sockets;

namespace DualStack.Cli;

/// <summary>What the <c>udp</c> and <c>mcast</c> commands share: the buffer size and the wildcard to bind.</summary>
internal static class DatagramArguments
{
    /// <summary>Any UDP datagram fits: 65,535 minus the 8-byte UDP header.</summary>
    public const int MaxDatagram = 65_527;

    /// <summary>The wildcard address of <paramref name="family"/>: <c>::</c> (IPv6 only) or <c>0.0.0.0</c>.</summary>
    public static IPAddress Wildcard(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
}
