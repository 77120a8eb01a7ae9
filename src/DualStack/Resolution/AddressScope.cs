using System.Net;

namespace DualStack;

// Scopes as RFC 6724 section 3.1 defines them for IPv6 (the 4-bit values of RFC 4291 section 2.7) and
// section 3.2 for IPv4 (https://www.rfc-editor.org/rfc/rfc6724#section-3):
// - IPv6 multicast carries its scope in the address (the low 4 bits of the second byte).
// - fe80::/10 and the loopback ::1 are link-local: ::1 cannot leave the node, and RFC 6724 section 3.1
//   treats it as link-local for selection (glibc and musl do the same).
// - fec0::/10 is site-local. RFC 3879 deprecated it, but RFC 6724 still gives it scope 5.
// - Everything else, unique local fc00::/7 included, is global (RFC 6724 section 3.1; RFC 4193 section 3.3).
// - IPv4: 127/8 and 169.254/16 are link-local, everything else global, RFC 1918 private ranges included
//   (section 3.2; RFC 3484 had made them site-local, RFC 6724 undid that).
// IPv4-mapped IPv6 addresses are scoped as the IPv4 address they carry.
internal static class AddressScope
{
    public const int InterfaceLocal = 0x1;
    public const int LinkLocal = 0x2;
    public const int SiteLocal = 0x5;
    public const int Global = 0xE;

    // <summary>The scope of <paramref name="address"/>: smaller is narrower.</summary>
    public static int Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        if (length == 4)
        {
            return OfIPv4(bytes[0], bytes[1]);
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return OfIPv4(bytes[12], bytes[13]);
        }

        if (bytes[0] == 0xFF)
        {
            return bytes[1] & 0x0F;
        }

        if (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80)
        {
            return LinkLocal;
        }

        if (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0xC0)
        {
            return SiteLocal;
        }

        return IsLoopback(bytes) ? LinkLocal : Global;
    }

    private static int OfIPv4(byte first, byte second) =>
        first == 127 || (first == 169 && second == 254) ? LinkLocal : Global;

    // Compared as bytes, not with IPAddress.Equals, which also compares ScopeId: ::1%lo is still ::1.
    private static bool IsLoopback(ReadOnlySpan<byte> bytes) =>
        bytes[15] == 1 && !bytes[..15].ContainsAnyExcept((byte)0);
}
