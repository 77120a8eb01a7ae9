using System.Net;

namespace DualStack;

// The default policy table of RFC 6724 section 2.1 (https://www.rfc-editor.org/rfc/rfc6724#section-2.1),
// looked up by longest matching prefix. IPv4 addresses are looked up as ::ffff:a.b.c.d, so every IPv4
// destination gets precedence 35 and label 4.
//
// Not configurable: /etc/gai.conf changes the table glibc uses, and the system resolver's answers keep
// glibc's order for that reason (docs/resolution.md). A configurable table would be new public API with
// no caller yet.
internal static class PolicyTable
{
    // Rows longest prefix first, so the first match is the longest one. Precedence 35 appears only on
    // ::ffff:0:0/96 (no longer row lies inside it): DestinationSortKey relies on that to know that two
    // destinations tied on precedence are of one family.
    private static readonly PolicyEntry[] s_rows =
    [
        Row("::1", 128, precedence: 50, label: 0),
        Row("::ffff:0:0", 96, precedence: 35, label: 4),
        Row("::", 96, precedence: 1, label: 3),
        Row("2001::", 32, precedence: 5, label: 5),
        Row("2002::", 16, precedence: 30, label: 2),
        Row("3ffe::", 16, precedence: 1, label: 12),
        Row("fec0::", 10, precedence: 1, label: 11),
        Row("fc00::", 7, precedence: 3, label: 13),
        Row("::", 0, precedence: 40, label: 1),
    ];

    // <summary>The rows, longest prefix first.</summary>
    public static IReadOnlyList<PolicyEntry> Rows => s_rows;

    // <summary>The row with the longest prefix matching <paramref name="bits"/> (see <see cref="AddressBits.ToIPv6Bits"/>).</summary>
    public static PolicyEntry Lookup(UInt128 bits)
    {
        foreach (var row in s_rows)
        {
            if ((bits & AddressBits.Mask(row.PrefixLength)) == row.Prefix)
            {
                return row;
            }
        }

        // ::/0 matches everything; the loop always returns.
        throw new InvalidOperationException("the policy table has no ::/0 row");
    }

    // <summary>The row for <paramref name="address"/>; IPv4 is looked up in its IPv4-mapped form.</summary>
    public static PolicyEntry Lookup(IPAddress address) => Lookup(AddressBits.ToIPv6Bits(address));

    private static PolicyEntry Row(string prefix, int length, int precedence, int label) =>
        new(AddressBits.ToIPv6Bits(IPAddress.Parse(prefix)), length, precedence, label);
}
