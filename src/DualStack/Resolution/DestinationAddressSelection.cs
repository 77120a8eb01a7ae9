using System.Net;

namespace DualStack;

// RFC 6724 section 6, destination address selection (https://www.rfc-editor.org/rfc/rfc6724#section-6):
// order a host's addresses so that the ones most likely to work, and to work well, come first.
//
// The problem: a resolver that is not the OS's (a DNS client, a hosts table, a test table) returns
// addresses in whatever order its source had them. Connecting in that order tries a global IPv6 address
// from a host whose only IPv6 address is link-local, or a 6to4 address before a native one. The OS's
// getaddrinfo sorts its own answers by this algorithm, so the system resolver's answers are left alone
// (HostAddresses.IsOrdered) and this sort is for everyone else's.
//
// The shape:
// - Each destination is paired with Source(D), the source address the OS would use for it. The public
//   entry point asks the kernel (SourceAddressProbe: a UDP connect, no packet sent); the pure overload
//   takes a function, which is what the tests and the RFC's worked examples (section 10.2) use.
// - Each (destination, source) pair becomes a DestinationSortKey, whose fields are the rules in order;
//   the list is sorted by key, ties kept in their original order (rule 10), so the sort is stable and
//   deterministic. DestinationSortKey explains why a key, and not the RFC's pairwise rules, is sound.
// - Rules applied: 1, 2, 5, 6, 8, 9 (IPv6 only), 10. Skipped: 3 (deprecated sources) and 4 (home
//   addresses) because that state is in the kernel and no portable API exposes it; 7 (native transport)
//   because whether a route is a tunnel is not visible from the addresses. docs/resolution.md lists the
//   consequences; RFC examples 5 and 6 come out differently because of them.
//
// Rejected: List.Sort with the pairwise comparison (unstable, and undefined for a non-transitive
// comparison); probing lazily inside the comparison (one socket per comparison instead of per address).
/// <summary>
/// Orders destination addresses by RFC 6724 section 6, with the default policy table of section 2.1.
/// </summary>
/// <remarks>
/// <para>
/// Applied: rule 1 (avoid unusable destinations), 2 (prefer matching scope), 5 (prefer matching label),
/// 6 (prefer higher precedence), 8 (prefer smaller scope), 9 (longest matching prefix, between IPv6
/// destinations only, counted up to a /64) and 10 (otherwise keep the order: the sort is stable).
/// Skipped: rules 3 (avoid deprecated addresses), 4 (prefer home addresses) and 7 (prefer native
/// transport), whose inputs are not visible to an application.
/// </para>
/// <para>
/// IPv4-mapped destinations (<c>::ffff:192.0.2.1</c>) are treated as IPv4. The endpoints returned are the
/// ones given, so ports and zones are kept as they were.
/// </para>
/// <para>
/// The system resolver's answers are already in this order (<see cref="HostAddresses.IsOrdered"/>);
/// this is for answers from other resolvers.
/// </para>
/// </remarks>
public static class DestinationAddressSelection
{
    /// <summary>
    /// Orders <paramref name="destinations"/> by RFC 6724, asking the operating system which source
    /// address it would use for each one.
    /// </summary>
    /// <remarks>
    /// Each destination is probed with a UDP socket of its family (IPv4 for an IPv4-mapped address):
    /// connect, then read the local endpoint. No packet is sent. A destination whose probe fails (no
    /// route, family not supported) is unusable (rule 1) and goes after every usable one. A link-local
    /// destination is probed with its zone. Fewer than two endpoints are returned without probing.
    /// </remarks>
    /// <param name="destinations">The endpoints, in the resolver's order.</param>
    /// <returns>A new list holding the same endpoints, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destinations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destinations"/> contains <see langword="null"/>.</exception>
    public static IReadOnlyList<IPEndPoint> Sort(IEnumerable<IPEndPoint> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        return SortCore(Snapshot(destinations), SourceAddressProbe.SourceFor);
    }

    /// <summary>
    /// Orders <paramref name="destinations"/> by RFC 6724, given the source address each one would use.
    /// </summary>
    /// <param name="destinations">The endpoints, in the resolver's order.</param>
    /// <param name="sourceAddressFor">
    /// The source address the host would use to reach a destination address, or <see langword="null"/>
    /// when it has none (the destination is unusable). Called once per endpoint, in order; not called
    /// when there are fewer than two endpoints, which need no ordering.
    /// </param>
    /// <returns>A new list holding the same endpoints, best first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destinations"/> or <paramref name="sourceAddressFor"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destinations"/> contains <see langword="null"/>.</exception>
    internal static IReadOnlyList<IPEndPoint> Sort(IEnumerable<IPEndPoint> destinations, Func<IPAddress, IPAddress?> sourceAddressFor)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(sourceAddressFor);
        return SortCore(Snapshot(destinations), endPoint => sourceAddressFor(endPoint.Address));
    }

    private static IPEndPoint[] Snapshot(IEnumerable<IPEndPoint> destinations)
    {
        var list = destinations.ToArray();
        if (Array.IndexOf(list, null) is int index and >= 0)
        {
            throw new ArgumentException($"destinations[{index}] is null.", nameof(destinations));
        }

        return list;
    }

    private static IPEndPoint[] SortCore(IPEndPoint[] destinations, Func<IPEndPoint, IPAddress?> sourceFor)
    {
        if (destinations.Length < 2)
        {
            // Nothing to order, and no reason to probe.
            return destinations;
        }

        var keys = new DestinationSortKey[destinations.Length];
        var order = new int[destinations.Length];
        for (int i = 0; i < destinations.Length; i++)
        {
            keys[i] = DestinationSortKey.For(destinations[i].Address, sourceFor(destinations[i]));
            order[i] = i;
        }

        // Array.Sort is introsort, not stable; comparing the original index last makes every pair of
        // entries distinct, so the result is the stable order (rule 10) whatever the algorithm.
        Array.Sort(order, (x, y) =>
        {
            int c = DestinationSortKey.Compare(keys[x], keys[y]);
            return c != 0 ? c : x.CompareTo(y);
        });

        var sorted = new IPEndPoint[destinations.Length];
        for (int i = 0; i < order.Length; i++)
        {
            sorted[i] = destinations[order[i]];
        }

        return sorted;
    }
}
