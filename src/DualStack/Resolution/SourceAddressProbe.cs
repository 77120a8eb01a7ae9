using System.Net;
using System.Net.Sockets;

namespace DualStack;

// RFC 6724's destination rules need Source(D), the source address the OS would pick for D. Asking the
// kernel is the only portable way to get it right (routing table, policy routing, source-selection rules,
// /etc/gai.conf-independent): connect an unbound UDP socket to D and read the local address it was given.
// A UDP connect only selects a route and a source and records the peer; no packet is sent. glibc's
// getaddrinfo and Go's net package (src/net/addrselect.go, srcAddrs) do the same.
//
// Rejected: reading interface addresses and reimplementing source selection (RFC 6724 section 5). It
// would need the routing table, and it would disagree with the kernel exactly where it matters (several
// uplinks, policy routing, VPNs).
internal static class SourceAddressProbe
{
    // Go probes port 9 (discard) whatever the destination; the port does not change the route in normal
    // setups, but policy routing can match on it, so we use the destination's own port and fall back to 9
    // where it is 0, which some systems refuse to connect to.
    private const int DiscardPort = 9;

    // <summary>The source address the OS would use to reach <paramref name="destination"/>, or <see langword="null"/> when there is no route.</summary>
    public static IPAddress? SourceFor(IPEndPoint destination)
    {
        // An IPv4-mapped destination is reached over IPv4; an IPv6 socket would need dual mode to reach it.
        var remote = IPLiteral.Unmap(destination);
        var probe = new IPEndPoint(remote.Address, remote.Port == 0 ? DiscardPort : remote.Port);
        try
        {
            // Any failure here (no such family, no route, a zone naming no interface) is rule 1's
            // "unusable destination", not an error of the sort.
            using var socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(probe);
            return (socket.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
