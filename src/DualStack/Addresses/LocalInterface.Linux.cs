using System.Globalization;
using System.Net.NetworkInformation;
using DualStack.Internal;

namespace DualStack;

public sealed partial class LocalInterface
{
    // NetworkInterface reports lo as OperationalStatus.Unknown and has no IFF_UP, so read the
    // kernel's own flags word, as `ip link` does. The IFF_* values are those of <linux/if.h>.
    private static bool LinuxTryGetIndexAndFlags(NetworkInterface nic, out int index, out InterfaceFlags flags)
    {
        flags = InterfaceFlags.None;
        if (!InterfaceNames.TryGetIndex(nic.Name, out uint kernelIndex))
        {
            index = 0;
            return false;
        }

        index = (int)kernelIndex;
        try
        {
            string text = File.ReadAllText(Path.Combine("/sys/class/net", nic.Name, "flags")).Trim();
            if (text.StartsWith("0x", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int raw))
            {
                flags = (InterfaceFlags)raw & (InterfaceFlags.Up | InterfaceFlags.Loopback | InterfaceFlags.Multicast);
                return true;
            }
        }
        catch (IOException)
        {
            // The interface went away between enumeration and now, or sysfs is not mounted: fall back.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return PortableTryGetIndexAndFlags(nic, out index, out flags);
    }
}
