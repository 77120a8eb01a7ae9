using System.Net.NetworkInformation;

namespace DualStack.Internal;

internal static partial class InterfaceNames
{
    private static bool PortableTryGetIndex(string name, out uint index)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (string.Equals(nic.Name, name, StringComparison.Ordinal) && TryGetIndex(nic, out index))
            {
                return true;
            }
        }

        index = 0;
        return false;
    }

    private static string? PortableTryGetName(uint index)
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (TryGetIndex(nic, out uint candidate) && candidate == index)
            {
                return nic.Name;
            }
        }

        return null;
    }

    internal static bool TryGetIndex(NetworkInterface nic, out uint index)
    {
        var properties = nic.GetIPProperties();
        // An interface without IPv6 (or IPv4) throws from the per-family getter instead of returning null.
        if (nic.Supports(NetworkInterfaceComponent.IPv6))
        {
            index = (uint)properties.GetIPv6Properties().Index;
            return true;
        }

        if (nic.Supports(NetworkInterfaceComponent.IPv4))
        {
            index = (uint)properties.GetIPv4Properties().Index;
            return true;
        }

        index = 0;
        return false;
    }
}
