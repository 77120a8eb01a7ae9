namespace DualStack.Internal;

// <summary>
// Maps interface names to indexes and back: the seam behind zones (<c>fe80::1%eth0</c>).
// </summary>
// <remarks>
// On Unix the C library's <c>if_nametoindex</c>/<c>if_indextoname</c> answer from the kernel
// without enumerating every interface, which matters because every zoned literal asks.
// Elsewhere the portable fallback searches <see cref="System.Net.NetworkInformation.NetworkInterface"/>.
// </remarks>
internal static partial class InterfaceNames
{
    // Linux IFNAMSIZ is 16 including the terminator; other systems are no larger.
    internal const int MaxNameLength = 15;

    public static bool TryGetIndex(string name, out uint index)
    {
        index = 0;
        if (!IsPlausibleName(name))
        {
            return false;
        }

        return OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()
            ? UnixTryGetIndex(name, out index)
            : PortableTryGetIndex(name, out index);
    }

    public static string? TryGetName(uint index)
    {
        if (index == 0)
        {
            return null;
        }

        return OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()
            ? UnixTryGetName(index)
            : PortableTryGetName(index);
    }

    // <summary>Rejects what no system accepts as an interface name, before any system call.</summary>
    public static bool IsPlausibleName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength || name is "." or "..")
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c <= ' ' || c >= 0x7f || c is '/' or ':' or '%' or '[' or ']')
            {
                return false;
            }
        }

        return true;
    }
}
