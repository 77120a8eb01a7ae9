using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Resolution;

/// <summary>
/// RFC 6724 section 6 ordering through the pure overload: the caller says which source each destination
/// would use. Every worked example of section 10.2 is here, each run in both input orders so that the
/// stable tie-break (rule 10) cannot be what makes it pass.
/// </summary>
public class DestinationAddressSelectionTests
{
    // Example 1. Candidate sources: 2001:db8:1::2, fe80::1, 169.254.13.78.
    // RFC result: 2001:db8:1::1 (src 2001:db8:1::2) then 198.51.100.121 (src 169.254.13.78).
    [Fact]
    public void Sort_Rfc6724Example1_PrefersMatchingScope()
    {
        AssertOrderFromEitherStart(
            ["2001:db8:1::1", "198.51.100.121"],
            ("2001:db8:1::1", "2001:db8:1::2"),
            ("198.51.100.121", "169.254.13.78"));
    }

    // Example 2. Candidate sources: fe80::1, 198.51.100.117.
    // RFC result: 198.51.100.121 (src 198.51.100.117) then 2001:db8:1::1 (src fe80::1).
    [Fact]
    public void Sort_Rfc6724Example2_PrefersMatchingScopeOverIPv6()
    {
        AssertOrderFromEitherStart(
            ["198.51.100.121", "2001:db8:1::1"],
            ("198.51.100.121", "198.51.100.117"),
            ("2001:db8:1::1", "fe80::1"));
    }

    // Example 3. Candidate sources: 2001:db8:1::2, fe80::1, 10.1.2.4.
    // RFC result: 2001:db8:1::1 (src 2001:db8:1::2) then 10.1.2.3 (src 10.1.2.4).
    [Fact]
    public void Sort_Rfc6724Example3_PrefersHigherPrecedence()
    {
        AssertOrderFromEitherStart(
            ["2001:db8:1::1", "10.1.2.3"],
            ("2001:db8:1::1", "2001:db8:1::2"),
            ("10.1.2.3", "10.1.2.4"));
    }

    // Example 4. Candidate sources: 2001:db8:1::2, fe80::2.
    // RFC result: fe80::1 (src fe80::2) then 2001:db8:1::1 (src 2001:db8:1::2).
    [Fact]
    public void Sort_Rfc6724Example4_PrefersSmallerScope()
    {
        AssertOrderFromEitherStart(
            ["fe80::1", "2001:db8:1::1"],
            ("fe80::1", "fe80::2"),
            ("2001:db8:1::1", "2001:db8:1::2"));
    }

    // Example 5. Candidate sources: 2001:db8:1::2 (care-of), 2001:db8:3::1 (home), fe80::2 (care-of).
    // RFC result: 2001:db8:1::1 (src 2001:db8:3::1) then fe80::1 (src fe80::2), by rule 4 (prefer home
    // addresses). Rule 4 is skipped (whether a source is a home address is not visible to us), so the
    // next rule that tells them apart, 8 (prefer smaller scope), puts fe80::1 first: the opposite of the RFC.
    [Fact]
    public void Sort_Rfc6724Example5HomeAddress_SmallerScopeWinsBecauseRule4IsSkipped()
    {
        AssertOrderFromEitherStart(
            ["fe80::1", "2001:db8:1::1"],
            ("2001:db8:1::1", "2001:db8:3::1"),
            ("fe80::1", "fe80::2"));
    }

    // Example 6. Candidate sources: 2001:db8:1::2, fe80::2 (deprecated).
    // RFC result: 2001:db8:1::1 (src 2001:db8:1::2) then fe80::1 (src fe80::2), by rule 3 (avoid
    // deprecated addresses). Rule 3 is skipped (a source's deprecation is not visible to us), so rule 8
    // puts fe80::1 first: the opposite of the RFC.
    [Fact]
    public void Sort_Rfc6724Example6DeprecatedSource_SmallerScopeWinsBecauseRule3IsSkipped()
    {
        AssertOrderFromEitherStart(
            ["fe80::1", "2001:db8:1::1"],
            ("2001:db8:1::1", "2001:db8:1::2"),
            ("fe80::1", "fe80::2"));
    }

    // Example 7. Candidate sources: 2001:db8:1::2, 2001:db8:3f44::2, fe80::2.
    // RFC result: 2001:db8:1::1 (src 2001:db8:1::2) then 2001:db8:3ffe::1 (src 2001:db8:3f44::2).
    // Common prefixes: 64 bits (capped at the /64) against 40.
    [Fact]
    public void Sort_Rfc6724Example7_UsesLongestMatchingPrefix()
    {
        AssertOrderFromEitherStart(
            ["2001:db8:1::1", "2001:db8:3ffe::1"],
            ("2001:db8:1::1", "2001:db8:1::2"),
            ("2001:db8:3ffe::1", "2001:db8:3f44::2"));
    }

    // Example 8. Candidate sources: 2002:c633:6401::2, fe80::2.
    // RFC result: 2002:c633:6401::1 (src 2002:c633:6401::2) then 2001:db8:1::1 (src 2002:c633:6401::2).
    [Fact]
    public void Sort_Rfc6724Example8_PrefersMatchingLabel()
    {
        AssertOrderFromEitherStart(
            ["2002:c633:6401::1", "2001:db8:1::1"],
            ("2002:c633:6401::1", "2002:c633:6401::2"),
            ("2001:db8:1::1", "2002:c633:6401::2"));
    }

    // Example 9. Candidate sources: 2002:c633:6401::2, 2001:db8:1::2, fe80::2.
    // RFC result: 2001:db8:1::1 (src 2001:db8:1::2) then 2002:c633:6401::1 (src 2002:c633:6401::2).
    [Fact]
    public void Sort_Rfc6724Example9_PrefersHigherPrecedenceOver6to4()
    {
        AssertOrderFromEitherStart(
            ["2001:db8:1::1", "2002:c633:6401::1"],
            ("2001:db8:1::1", "2001:db8:1::2"),
            ("2002:c633:6401::1", "2002:c633:6401::2"));
    }

    [Fact]
    public void Sort_EqualKeys_KeepsTheInputOrder()
    {
        string[] input = ["2001:db8:1::30", "2001:db8:1::10", "2001:db8:1::20", "2001:db8:1::10"];

        var sorted = SortLiterals(input, input.Distinct().Select(d => (d, (string?)"2001:db8:1::2")).ToArray());

        Assert.Equal(input, sorted);
    }

    [Fact]
    public void Sort_ManyEqualKeys_KeepsTheInputOrder()
    {
        // More than 16 entries: Array.Sort switches from insertion sort (stable) to introsort (not stable), so
        // only the tie-break on the original index keeps a long round-robin answer in the resolver's order.
        string[] input = Enumerable.Range(1, 40).Select(i => $"192.0.2.{(i * 37) % 251 + 1}").ToArray();

        var sorted = SortLiterals(input, input.Select(d => (d, (string?)"192.0.2.254")).ToArray());

        Assert.Equal(input, sorted);
    }

    [Fact]
    public void Sort_IPv6DestinationsWithAnIPv4Source_IgnoreLongestMatchingPrefix()
    {
        // Rule 9 compares an IPv6 destination with an IPv6 source only. Measured against the IPv4 source (as
        // ::ffff:192.0.2.2), 100::1 would share 7 leading bits and 2001:db8::1 only 2, and come first.
        var sorted = SortLiterals(["2001:db8::1", "100::1"], ("2001:db8::1", "192.0.2.2"), ("100::1", "192.0.2.2"));

        Assert.Equal(["2001:db8::1", "100::1"], sorted);
    }

    [Fact]
    public void Sort_DuplicateEndPoints_KeepTheirPositionsAndInstances()
    {
        var a = new IPEndPoint(IPAddress.Parse("2001:db8:1::1"), 443);
        var aAgain = new IPEndPoint(IPAddress.Parse("2001:db8:1::1"), 443);
        var v4 = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 443);

        var sorted = DestinationAddressSelection.Sort([v4, a, v4, aAgain], d => d.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.2") : IPAddress.Parse("2001:db8:1::2"));

        Assert.Collection(sorted, e => Assert.Same(a, e), e => Assert.Same(aAgain, e), e => Assert.Same(v4, e), e => Assert.Same(v4, e));
    }

    [Fact]
    public void Sort_IPv4Destinations_IgnoreLongestMatchingPrefix()
    {
        // 10.0.0.1 shares 30 bits with its source, 10.55.0.1 only 8: on IPv6 rule 9 would swap them.
        var sorted = SortLiterals(["10.55.0.1", "10.0.0.1"], ("10.55.0.1", "10.99.0.2"), ("10.0.0.1", "10.0.0.2"));

        Assert.Equal(["10.55.0.1", "10.0.0.1"], sorted);
    }

    [Fact]
    public void Sort_CommonPrefixBeyondSlash64_DoesNotReorder()
    {
        // ::1 shares 126 bits with the source and ::ffff only 112, but both share the whole /64, and the
        // interface ID must not override the resolver's order (RFC 6724 Appendix B, DNS load balancing).
        var sorted = SortLiterals(["2001:db8:1::ffff", "2001:db8:1::1"], ("2001:db8:1::ffff", "2001:db8:1::2"), ("2001:db8:1::1", "2001:db8:1::2"));

        Assert.Equal(["2001:db8:1::ffff", "2001:db8:1::1"], sorted);
    }

    [Fact]
    public void Sort_IPv4MappedDestination_IsOrderedAsIPv4AndReturnedMapped()
    {
        // Example 2 with the IPv4 destination written mapped: the mapped one still wins by matching scope.
        var sorted = SortLiterals(["2001:db8:1::1", "::ffff:198.51.100.121"], ("2001:db8:1::1", "fe80::1"), ("::ffff:198.51.100.121", "198.51.100.117"));

        Assert.Equal(["::ffff:198.51.100.121", "2001:db8:1::1"], sorted);
    }

    [Fact]
    public void Sort_IPv4MappedSource_CountsAsIPv4()
    {
        // A dual-mode socket reports an IPv4 source mapped; its scope and label are still IPv4's.
        var sorted = SortLiterals(["2001:db8:1::1", "198.51.100.121"], ("2001:db8:1::1", "fe80::1"), ("198.51.100.121", "::ffff:198.51.100.117"));

        Assert.Equal(["198.51.100.121", "2001:db8:1::1"], sorted);
    }

    [Fact]
    public void Sort_IPv4MappedLoopback_HasLinkLocalScopeLikeIPv4Loopback()
    {
        // Both usable, matching, precedence 35; ::ffff:127.0.0.1 is link-local (rule 8) like 127.0.0.1.
        var sorted = SortLiterals(["192.0.2.1", "::ffff:127.0.0.1"], ("192.0.2.1", "192.0.2.2"), ("::ffff:127.0.0.1", "127.0.0.1"));

        Assert.Equal(["::ffff:127.0.0.1", "192.0.2.1"], sorted);
    }

    [Fact]
    public void Sort_UnusableDestinations_GoLastInTheirOrder()
    {
        var sorted = SortLiterals(
            ["2001:db8:1::a", "2001:db8:1::b", "2001:db8:1::c", "2001:db8:1::d"],
            ("2001:db8:1::a", null),
            ("2001:db8:1::b", "2001:db8:1::2"),
            ("2001:db8:1::c", null),
            ("2001:db8:1::d", "2001:db8:1::2"));

        Assert.Equal(["2001:db8:1::b", "2001:db8:1::d", "2001:db8:1::a", "2001:db8:1::c"], sorted);
    }

    [Fact]
    public void Sort_UnusableDestination_GoesAfterEvenALowerPrecedenceUsableOne()
    {
        // ::1 has the highest precedence of all (50), IPv4 a lower one (35); rule 1 comes first.
        var sorted = SortLiterals(["::1", "192.0.2.1"], ("::1", null), ("192.0.2.1", "192.0.2.2"));

        Assert.Equal(["192.0.2.1", "::1"], sorted);
    }

    [Fact]
    public void Sort_LinkLocalDestinationWithZone_KeepsZoneAndPassesItToTheSourceFunction()
    {
        var zoned = new IPEndPoint(IPAddress.Parse("fe80::1%7"), 22);
        var global = new IPEndPoint(IPAddress.Parse("2001:db8:1::1"), 22);
        var seen = new List<IPAddress>();

        var sorted = DestinationAddressSelection.Sort([global, zoned], d =>
        {
            seen.Add(d);
            return d.IsIPv6LinkLocal ? IPAddress.Parse("fe80::2%7") : IPAddress.Parse("2001:db8:1::2");
        });

        Assert.Collection(sorted, e => Assert.Same(zoned, e), e => Assert.Same(global, e));
        Assert.Equal(7, sorted[0].Address.ScopeId);
        Assert.Equal(7, seen[1].ScopeId);
    }

    [Fact]
    public void Sort_EndPointsWithPorts_KeepTheirPorts()
    {
        var v4 = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 8080);
        var v6 = new IPEndPoint(IPAddress.Parse("2001:db8:1::1"), 8443);

        var sorted = DestinationAddressSelection.Sort([v4, v6], d => d.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Parse("192.0.2.2") : IPAddress.Parse("2001:db8:1::2"));

        Assert.Equal([8443, 8080], sorted.Select(e => e.Port));
        Assert.Same(v6, sorted[0]);
        Assert.Same(v4, sorted[1]);
    }

    [Fact]
    public void Sort_EmptyList_ReturnsEmptyWithoutAskingForSources()
    {
        int calls = 0;

        var sorted = DestinationAddressSelection.Sort([], _ =>
        {
            calls++;
            return null;
        });

        Assert.Empty(sorted);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Sort_OneEndPoint_ReturnsItWithoutAskingForSources()
    {
        var only = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443);
        int calls = 0;

        var sorted = DestinationAddressSelection.Sort([only], _ =>
        {
            calls++;
            return null;
        });

        Assert.Same(only, Assert.Single(sorted));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Sort_SixteenMixedAddresses_OrdersByEveryAppliedRule()
    {
        // A host with 2001:db8:1::2, fe80::2, fd00::2, 192.0.2.2, 169.254.1.2 and loopback, no route to
        // 2001:db8:3::/48 or 203.0.113.0/24.
        (string Destination, string? Source)[] table =
        [
            ("198.51.100.1", "192.0.2.2"),              //  0: IPv4 global, precedence 35
            ("2001:db8:1::10", "2001:db8:1::2"),        //  1: IPv6 global, 64 common bits
            ("2002:c633:6401::1", "2001:db8:1::2"),     //  2: 6to4 from a native source: labels 2 and 1 (rule 5)
            ("fe80::10", "fe80::2"),                    //  3: link-local, precedence 40, scope 2
            ("10.0.0.1", "192.0.2.2"),                  //  4: RFC 1918 is global scope (section 3.2)
            ("2001:db8:2::10", "2001:db8:1::2"),        //  5: IPv6 global, 46 common bits (rule 9)
            ("fd00::10", "fd00::2"),                    //  6: ULA, precedence 3
            ("169.254.5.5", "169.254.1.2"),             //  7: IPv4 link-local, scope 2
            ("2001:0:5ef5:79fd::1", "2001:db8:1::2"),   //  8: Teredo from a native source: labels 5 and 1
            ("::1", "::1"),                             //  9: loopback, precedence 50
            ("127.0.0.1", "127.0.0.1"),                 // 10: IPv4 loopback, scope 2
            ("2001:db8:3::10", null),                   // 11: unusable, precedence 40
            ("203.0.113.7", null),                      // 12: unusable, precedence 35
            ("::ffff:198.51.100.2", "192.0.2.2"),       // 13: IPv4-mapped: as IPv4 global
            ("fec0::10", "2001:db8:1::2"),              // 14: site-local from a global source (rule 2)
            ("2001:db8:1::11", "2001:db8:1::2"),        // 15: ties with 1 on every rule
        ];

        var sorted = SortLiterals(table.Select(t => t.Destination).ToArray(), table);

        int[] expected = [9, 3, 1, 15, 5, 7, 10, 0, 4, 13, 6, 2, 8, 14, 11, 12];
        Assert.Equal(expected.Select(i => IPLiteral.FormatAddress(IPAddress.Parse(table[i].Destination))), sorted);
    }

    [Fact]
    public void Sort_SourceFunction_IsCalledOncePerEndPointInOrder()
    {
        var seen = new List<string>();

        DestinationAddressSelection.Sort(
            [new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 1), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 2)],
            d =>
            {
                seen.Add(IPLiteral.FormatAddress(d));
                return null;
            });

        Assert.Equal(["192.0.2.1", "2001:db8::1", "192.0.2.1"], seen);
    }

    [Fact]
    public void Sort_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("destinations", () => DestinationAddressSelection.Sort(null!, _ => null));
        Assert.Throws<ArgumentNullException>("sourceAddressFor", () => DestinationAddressSelection.Sort([], null!));
        Assert.Throws<ArgumentNullException>("destinations", () => DestinationAddressSelection.Sort(null!));
    }

    [Fact]
    public void Sort_NullElement_ThrowsNamingItsIndex()
    {
        var e = Assert.Throws<ArgumentException>("destinations", () => DestinationAddressSelection.Sort([new IPEndPoint(IPAddress.Loopback, 1), null!], _ => null));

        Assert.Contains("destinations[1]", e.Message, StringComparison.Ordinal);
    }

    private static void AssertOrderFromEitherStart(string[] expected, params (string Destination, string? Source)[] sources)
    {
        Assert.Equal(expected, SortLiterals(expected, sources));
        Assert.Equal(expected, SortLiterals(expected.Reverse().ToArray(), sources));
    }

    private static List<string> SortLiterals(string[] destinations, params (string Destination, string? Source)[] sources)
    {
        var sourceOf = sources.ToDictionary(
            s => IPAddress.Parse(s.Destination),
            s => s.Source is null ? null : IPAddress.Parse(s.Source));
        var endPoints = destinations.Select(d => new IPEndPoint(IPAddress.Parse(d), 443));

        var sorted = DestinationAddressSelection.Sort(endPoints, d => sourceOf[d]);

        return sorted.Select(e => IPLiteral.FormatAddress(e.Address)).ToList();
    }
}
