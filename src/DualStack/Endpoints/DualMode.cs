using System.Net.Sockets;

namespace DualStack;

// <summary>Whether this machine lets one IPv6 socket serve IPv4 too (a dual-mode socket), probed once per process.</summary>
internal static class DualMode
{
    private static readonly Lazy<bool> s_supported = new(Probe);

    public static bool IsSupported => s_supported.Value;

    private static bool Probe()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.DualMode = true;
            return probe.DualMode;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
