using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace DualStack;

// RFC 6724 matches both families against one IPv6 policy table: an IPv4 address is looked up as its
// IPv4-mapped form ::ffff:a.b.c.d (section 2.1). Holding an address as one 128-bit number makes that
// lookup, and the common-prefix count of rule 9, a mask and a compare without allocating.
internal static class AddressBits
{
    private static readonly UInt128 s_ipv4MappedPrefix = (UInt128)0xFFFF << 32;

    // <summary>The address as 128 bits, most significant first; IPv4 as its IPv4-mapped IPv6 form.</summary>
    public static UInt128 ToIPv6Bits(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return s_ipv4MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    // <summary>The mask of a prefix <paramref name="length"/> bits long (0 to 128).</summary>
    public static UInt128 Mask(int length) =>
        // UInt128 shifts count modulo 128, so a /0 mask cannot be written as MaxValue << 128.
        length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    // <summary>How many leading bits <paramref name="a"/> and <paramref name="b"/> share, at most <paramref name="limit"/>.</summary>
    public static int CommonPrefixLength(UInt128 a, UInt128 b, int limit) =>
        Math.Min((int)UInt128.LeadingZeroCount(a ^ b), limit);
}
