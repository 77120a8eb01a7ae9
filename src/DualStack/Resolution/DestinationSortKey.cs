using System.Net;
using System.Net.Sockets;

namespace DualStack;

// What RFC 6724 section 6 compares about one destination, given the source address it would use
// (https://www.rfc-editor.org/rfc/rfc6724#section-6). Each rule the library applies becomes a field,
// in rule order, so that comparing two keys field by field is comparing the two destinations rule by
// rule: the first rule that tells them apart decides.
//
// The RFC writes the rules as a pairwise comparison, and rule 9 applies only "when DA and DB belong to
// the same address family". A pairwise rule with such a condition need not be transitive, and a sort
// given a non-transitive comparison may return any order. Here the condition never has to be checked:
// rule 9 is reached only when rule 6 found equal precedences, and in the default table precedence 35 is
// held by ::ffff:0:0/96 alone, that is by every IPv4 destination and by no IPv6 one. Two destinations
// tied up to rule 9 are therefore of one family, the comparison is a plain lexicographic order on the
// fields (a total preorder), and a sort by key with the original index as the last tie-break is both
// correct and stable (rule 10).
internal readonly record struct DestinationSortKey(
    bool Usable,
    bool ScopeMatches,
    bool LabelMatches,
    int Precedence,
    int Scope,
    int CommonPrefixLength)
{
    // RFC 6724 defines CommonPrefixLen(S, D) only "up to the length of S's prefix (i.e., the portion of
    // the address not including the interface ID)". The caller gives a source address without its
    // prefix length, so we assume the /64 that RFC 4291 section 2.5.1 gives almost all unicast IPv6
    // addresses, as Go's net package does. Counting into the interface ID would let the low bits of the
    // addresses pick the winner, defeating DNS load balancing, which is why RFC 6724 (Appendix B) stopped
    // at the prefix where RFC 3484 did not.
    private const int IPv6PrefixLength = 64;

    // <summary>The key of <paramref name="destination"/> reached from <paramref name="source"/> (<see langword="null"/>: unusable).</summary>
    public static DestinationSortKey For(IPAddress destination, IPAddress? source)
    {
        // IPv4-mapped addresses are IPv4 for every rule: their scope is the IPv4 address's, their policy
        // row is ::ffff:0:0/96 either way, and rule 9 skips them.
        destination = IPLiteral.Unmap(destination);
        var destinationBits = AddressBits.ToIPv6Bits(destination);
        var policy = PolicyTable.Lookup(destinationBits);
        int scope = AddressScope.Of(destination);
        if (source is null)
        {
            // Rule 1 puts it last; rules 2, 5 and 9 need a source and do not apply (as in glibc, where
            // they are skipped without one). Rules 6 and 8 still order the unusable ones among themselves.
            return new DestinationSortKey(false, false, false, policy.Precedence, scope, 0);
        }

        source = IPLiteral.Unmap(source);
        var sourceBits = AddressBits.ToIPv6Bits(source);

        // Rule 9 for IPv6 only. On IPv4 it overrides DNS round robin, because any two IPv4 addresses share
        // some leading bits whether or not they are on one network: Go limits it to IPv6 for that reason
        // (golang/go issues 13283 and 18518), and glibc counts IPv4 bits only when source and destination
        // are on one subnet, which needs the netmask that a source address alone does not give us.
        // RFC 6724 section 6 lets an implementation supersede rule 9.
        int common = destination.AddressFamily == AddressFamily.InterNetworkV6 && source.AddressFamily == AddressFamily.InterNetworkV6
            ? AddressBits.CommonPrefixLength(sourceBits, destinationBits, IPv6PrefixLength)
            : 0;

        return new DestinationSortKey(
            Usable: true,
            ScopeMatches: AddressScope.Of(source) == scope,
            LabelMatches: PolicyTable.Lookup(sourceBits).Label == policy.Label,
            Precedence: policy.Precedence,
            Scope: scope,
            CommonPrefixLength: common);
    }

    // <summary>Negative when <paramref name="a"/> should come first, positive when <paramref name="b"/> should, zero when no rule applied tells them apart.</summary>
    public static int Compare(in DestinationSortKey a, in DestinationSortKey b)
    {
        // Rule 1: avoid unusable destinations.
        int c = b.Usable.CompareTo(a.Usable);

        // Rule 2: prefer matching scope.
        if (c == 0)
        {
            c = b.ScopeMatches.CompareTo(a.ScopeMatches);
        }

        // Rules 3 (avoid deprecated addresses) and 4 (prefer home addresses) are skipped: whether a source
        // is deprecated or a Mobile IPv6 home address is kernel state that no portable API exposes.

        // Rule 5: prefer matching label.
        if (c == 0)
        {
            c = b.LabelMatches.CompareTo(a.LabelMatches);
        }

        // Rule 6: prefer higher precedence.
        if (c == 0)
        {
            c = b.Precedence.CompareTo(a.Precedence);
        }

        // Rule 7 (prefer native transport) is skipped: whether the route to a destination is a tunnel is
        // not visible from the addresses, and guessing from prefixes (2002::/16, 2001::/32) would repeat
        // what rules 5 and 6 already do with the policy table.

        // Rule 8: prefer smaller scope.
        if (c == 0)
        {
            c = a.Scope.CompareTo(b.Scope);
        }

        // Rule 9: use longest matching prefix (IPv6 only, see For).
        if (c == 0)
        {
            c = b.CommonPrefixLength.CompareTo(a.CommonPrefixLength);
        }

        // Rule 10, leave the order unchanged, is the caller's tie-break on the original index.
        return c;
    }
}
