using System.Net;
using System.Net.Sockets;

namespace DualStack.Internal;

// <summary>
// Socket options .NET does not wrap: binding a socket to one interface and source-specific multicast joins.
// </summary>
// <remarks>
// Linux has both as plain <c>setsockopt</c> calls (<c>SO_BINDTODEVICE</c>, <c>MCAST_JOIN_SOURCE_GROUP</c>), set through
// <see cref="Socket.SetRawSocketOption"/>; the option numbers and structure layouts are Linux's, in
// <c>SocketOptions.Linux.cs</c>. Elsewhere the calls throw <see cref="PlatformNotSupportedException"/> (other systems
// have the same features under other numbers and layouts; they are untested here, so not claimed).
// </remarks>
internal static partial class SocketOptions
{
    // <summary>Restricts <paramref name="socket"/> to the interface <paramref name="interfaceName"/>.</summary>
    public static void BindToDevice(Socket socket, string interfaceName)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException($"binding a UDP socket to interface '{interfaceName}' is supported on Linux only; bind one of its addresses instead");
        }

        LinuxBindToDevice(socket, interfaceName);
    }

    // <summary>Joins or leaves <paramref name="group"/> for datagrams from <paramref name="source"/> only.</summary>
    public static void SetSourceMembership(Socket socket, bool join, IPAddress group, IPAddress source, int interfaceIndex)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("source-specific multicast joins are supported on Linux only");
        }

        LinuxSetSourceMembership(socket, join, group, source, interfaceIndex);
    }
}
