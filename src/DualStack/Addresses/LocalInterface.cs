using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using DualStack.Internal;

namespace DualStack;

/// <summary>A network interface of this machine: name, index, state and addresses (link-local ones with their zone).</summary>
public sealed partial class LocalInterface
{
    private LocalInterface(string name, int index, InterfaceFlags flags, IReadOnlyList<LocalAddress> addresses)
    {
        Name = name;
        Index = index;
        IsUp = flags.HasFlag(InterfaceFlags.Up);
        IsLoopback = flags.HasFlag(InterfaceFlags.Loopback);
        SupportsMulticast = flags.HasFlag(InterfaceFlags.Multicast);
        Addresses = addresses;
    }

    /// <summary>The interface's name, as used in zones (<c>fe80::1%eth0</c>) and descriptions (<c>tcp://eth0:80</c>).</summary>
    public string Name { get; }

    /// <summary>The interface index: the numeric zone of its link-local addresses.</summary>
    public int Index { get; }

    /// <summary>Whether the interface is administratively up (Linux <c>IFF_UP</c>).</summary>
    public bool IsUp { get; }

    /// <summary>Whether this is a loopback interface.</summary>
    public bool IsLoopback { get; }

    /// <summary>Whether the interface carries multicast (Linux <c>IFF_MULTICAST</c>; <c>lo</c> does not on Linux).</summary>
    public bool SupportsMulticast { get; }

    /// <summary>The interface's unicast addresses; IPv6 link-local ones carry the interface index as their <see cref="IPAddress.ScopeId"/>.</summary>
    public IReadOnlyList<LocalAddress> Addresses { get; }

    /// <summary>Lists this machine's interfaces, ordered by index.</summary>
    /// <remarks>
    /// On Linux, index and flags come from the kernel (<c>/sys/class/net</c>, <c>if_nametoindex</c>) so that they
    /// match <c>ip link</c>; elsewhere from <see cref="NetworkInterface"/>. The list is read anew on every call.
    /// </remarks>
    public static IReadOnlyList<LocalInterface> GetAll()
    {
        var result = new List<LocalInterface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (!TryGetIndexAndFlags(nic, out int index, out var flags))
            {
                continue;
            }

            var addresses = new List<LocalAddress>();
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal && address.ScopeId == 0)
                {
                    address = new IPAddress(address.GetAddressBytes(), index);
                }

                addresses.Add(new LocalAddress(address, unicast.PrefixLength));
            }

            result.Add(new LocalInterface(nic.Name, index, flags, addresses));
        }

        result.Sort((a, b) => a.Index.CompareTo(b.Index));
        return result;
    }

    /// <summary>Finds an interface by name.</summary>
    /// <returns>The interface, or <see langword="null"/> when none has that name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public static LocalInterface? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return InterfaceNames.IsPlausibleName(name)
            ? GetAll().FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal))
            : null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} (index {Index})";

    private static bool TryGetIndexAndFlags(NetworkInterface nic, out int index, out InterfaceFlags flags) =>
        OperatingSystem.IsLinux()
            ? LinuxTryGetIndexAndFlags(nic, out index, out flags)
            : PortableTryGetIndexAndFlags(nic, out index, out flags);

    private static bool PortableTryGetIndexAndFlags(NetworkInterface nic, out int index, out InterfaceFlags flags)
    {
        flags = InterfaceFlags.None;
        if (!InterfaceNames.TryGetIndex(nic, out uint portableIndex))
        {
            index = 0;
            return false;
        }

        index = (int)portableIndex;
        if (nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
        {
            flags |= InterfaceFlags.Up;
        }

        if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
        {
            flags |= InterfaceFlags.Loopback;
        }

        if (nic.SupportsMulticast)
        {
            flags |= InterfaceFlags.Multicast;
        }

        return true;
    }

    [Flags]
    private enum InterfaceFlags
    {
        None = 0,
        Up = 0x1,          // IFF_UP
        Loopback = 0x8,    // IFF_LOOPBACK
        Multicast = 0x1000, // IFF_MULTICAST
    }
}
