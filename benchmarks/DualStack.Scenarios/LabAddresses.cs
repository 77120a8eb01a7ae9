using System.Net;
using System.Net.Sockets;

namespace DualStack.Scenarios;

/// <summary>The lab's address ranges: 2001:2::/48 (RFC 5180) and 198.18.0.0/15 (RFC 2544).</summary>
internal static class LabAddresses
{
    /// <summary>Whether <paramref name="address"/> (IPv4-mapped or not) lies in one of the lab's ranges.</summary>
    public static bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        byte[] bytes = address.GetAddressBytes();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => bytes[0] == 198 && (bytes[1] & 0xFE) == 18,
            AddressFamily.InterNetworkV6 => bytes.AsSpan(0, 6).SequenceEqual((ReadOnlySpan<byte>)[0x20, 0x01, 0x00, 0x02, 0x00, 0x00]),
            _ => false,
        };
    }

    /// <summary><c>ipv6</c> or <c>ipv4</c>; an IPv4-mapped address counts as IPv4.</summary>
    public static string FamilyName(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6 ? "ipv6" : "ipv4";
}
