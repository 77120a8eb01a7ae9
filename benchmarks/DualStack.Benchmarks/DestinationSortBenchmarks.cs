using System.Net;
using BenchmarkDotNet.Attributes;

namespace DualStack.Benchmarks;

/// <summary>The cost of ordering a large answer by RFC 6724 with known sources (no probing, no sockets).</summary>
[MemoryDiagnoser]
public class DestinationSortBenchmarks
{
    private IPEndPoint[] _destinations = [];
    private Dictionary<IPAddress, IPAddress?> _sources = [];

    [GlobalSetup]
    public void Setup()
    {
        // Sixteen addresses of every kind the rules tell apart, in an order the sort has to change.
        (string Destination, string? Source)[] table =
        [
            ("198.51.100.1", "192.0.2.2"),
            ("2001:db8:1::10", "2001:db8:1::2"),
            ("2002:c633:6401::1", "2001:db8:1::2"),
            ("fe80::10", "fe80::2"),
            ("10.0.0.1", "192.0.2.2"),
            ("2001:db8:2::10", "2001:db8:1::2"),
            ("fd00::10", "fd00::2"),
            ("169.254.5.5", "169.254.1.2"),
            ("2001:0:5ef5:79fd::1", "2001:db8:1::2"),
            ("::1", "::1"),
            ("127.0.0.1", "127.0.0.1"),
            ("2001:db8:3::10", null),
            ("203.0.113.7", null),
            ("::ffff:198.51.100.2", "192.0.2.2"),
            ("fec0::10", "2001:db8:1::2"),
            ("2001:db8:1::11", "2001:db8:1::2"),
        ];
        _destinations = table.Select(t => new IPEndPoint(IPAddress.Parse(t.Destination), 443)).ToArray();
        _sources = table.ToDictionary(t => IPAddress.Parse(t.Destination), t => t.Source is null ? null : IPAddress.Parse(t.Source));
    }

    [Benchmark]
    public IReadOnlyList<IPEndPoint> SortSixteen() => DestinationAddressSelection.Sort(_destinations, d => _sources[d]);
}
