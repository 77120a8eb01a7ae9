using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DualStack.Internal;

internal static partial class SocketOptions
{
    // <asm-generic/socket.h>, <linux/in.h>, <linux/in6.h>.
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int SolIP = 0;
    private const int SolIPv6 = 41;
    private const int McastJoinSourceGroup = 46;
    private const int McastLeaveSourceGroup = 47;
    private const ushort LinuxAFInet = 2;
    private const ushort LinuxAFInet6 = 10;

    // struct __kernel_sockaddr_storage: 128 bytes, aligned like a pointer.
    private const int SockaddrStorageSize = 128;

    private static void LinuxBindToDevice(Socket socket, string interfaceName)
    {
        // The name, NUL-terminated; since Linux 5.7 no privilege is needed while the socket is not bound to a device.
        Span<byte> name = stackalloc byte[InterfaceNames.MaxNameLength + 1];
        name.Clear();
        int length = Encoding.UTF8.GetBytes(interfaceName, name);
        socket.SetRawSocketOption(SolSocket, SoBindToDevice, name[..(length + 1)]);
    }

    // struct group_source_req { __u32 gsr_interface; struct __kernel_sockaddr_storage gsr_group, gsr_source; }
    // (<linux/in.h>, RFC 3678 section 5.2): the protocol-independent join, which takes an interface index for both
    // families and, on an IPv6 socket, IPv4 groups too.
    private static void LinuxSetSourceMembership(Socket socket, bool join, IPAddress group, IPAddress source, int interfaceIndex)
    {
        int groupOffset = IntPtr.Size;
        Span<byte> request = stackalloc byte[groupOffset + (2 * SockaddrStorageSize)];
        request.Clear();
        BitConverter.TryWriteBytes(request, (uint)interfaceIndex);
        WriteSockaddr(request.Slice(groupOffset, SockaddrStorageSize), group);
        WriteSockaddr(request.Slice(groupOffset + SockaddrStorageSize, SockaddrStorageSize), source);

        int level = socket.AddressFamily == AddressFamily.InterNetworkV6 ? SolIPv6 : SolIP;
        socket.SetRawSocketOption(level, join ? McastJoinSourceGroup : McastLeaveSourceGroup, request);
    }

    // struct sockaddr_in / sockaddr_in6 with port 0: the family and scope id in host order, the address in network order.
    private static void WriteSockaddr(Span<byte> storage, IPAddress address)
    {
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        BitConverter.TryWriteBytes(storage, v6 ? LinuxAFInet6 : LinuxAFInet);

        if (v6)
        {
            // sin6_family, sin6_port, sin6_flowinfo, then sin6_addr at 8 and sin6_scope_id at 24.
            address.TryWriteBytes(storage.Slice(8, 16), out _);
            BitConverter.TryWriteBytes(storage.Slice(24, 4), (uint)address.ScopeId);
        }
        else
        {
            // sin_family, sin_port, then sin_addr at 4.
            address.TryWriteBytes(storage.Slice(4, 4), out _);
        }
    }
}
