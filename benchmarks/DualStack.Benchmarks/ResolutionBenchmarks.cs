using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace DualStack.Benchmarks;

/// <summary>
/// The cost of resolving a name from a <see cref="HostTableResolver"/> of 16 addresses through
/// <see cref="HostLookup.GetAddressInfoAsync"/>, which orders the answer by RFC 6724 and asks the kernel for each
/// address's source (a UDP connect, no packet sent); split into the sort with probing and the pure sort.
/// </summary>
/// <remarks>
/// .NET has no equivalent to compare with: <see cref="Dns"/> resolves through the OS only, not from a table
/// given by the caller, and does not sort other resolvers' answers. The figures are absolute.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ResolutionBenchmarks
{
    private const string Name = "bench.example";

    private AddressInfoHints _hints = new();
    private IPEndPoint[] _endPoints = [];
    private Dictionary<IPAddress, IPAddress?> _sources = [];

    /// <summary>The family asked for: both (16 addresses), IPv6 only or IPv4 only (8 each).</summary>
    [Params(AddressFamily.Unspecified, AddressFamily.InterNetworkV6, AddressFamily.InterNetwork)]
    public AddressFamily Family { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Every kind of address the rules tell apart, in an order the sort has to change.
        IPAddress[] addresses =
        [
            IPAddress.Parse("198.51.100.1"),
            IPAddress.Parse("2002:c633:6401::1"),    // 6to4
            IPAddress.Parse("10.0.0.1"),
            IPAddress.Parse("2001:0:5ef5:79fd::1"),  // Teredo
            IPAddress.Parse("169.254.5.5"),          // IPv4 link-local
            IPAddress.Parse("fec0::10"),             // deprecated site-local
            IPAddress.Parse("203.0.113.7"),
            IPAddress.Parse("2001:db8:1::10"),       // global
            IPAddress.Parse("172.16.0.1"),
            LinkLocal("fe80::10"),                   // link-local, with a zone
            IPAddress.Parse("100.64.0.1"),           // shared address space
            IPAddress.Parse("fd00::10"),             // unique local, on this host's fd00::/64 if it has one
            IPAddress.Parse("192.0.2.10"),
            IPAddress.Parse("64:ff9b::c633:6401"),   // NAT64
            IPAddress.Parse("127.0.0.1"),
            IPAddress.IPv6Loopback,
        ];
        var table = new HostTableResolver();
        foreach (var address in addresses)
        {
            table.Add(Name, address);
        }

        _hints = new AddressInfoHints { Family = Family, Resolver = table };
        _endPoints = [.. addresses.Where(a => Family == AddressFamily.Unspecified || a.AddressFamily == Family).Select(a => new IPEndPoint(a, 443))];

        // The pure sort gets the sources the kernel gives now, so it differs from the probing sort only by the probes.
        _sources = _endPoints.ToDictionary(e => e.Address, e => ProbeSource(e));
    }

    [Benchmark]
    public Task<IReadOnlyList<AddressInfo>> GetAddressInfo() => HostLookup.GetAddressInfoAsync(Name, "443", _hints);

    [Benchmark]
    public IReadOnlyList<IPEndPoint> SortWithProbing() => DestinationAddressSelection.Sort(_endPoints);

    [Benchmark]
    public IReadOnlyList<IPEndPoint> SortPure() => DestinationAddressSelection.Sort(_endPoints, a => _sources[a]);

    // The zone of the first interface that is up and has IPv6, else the loopback's (where the probe fails: rule 1).
    private static IPAddress LinkLocal(string literal)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n =>
            n.OperationalStatus == OperationalStatus.Up
            && n.NetworkInterfaceType != NetworkInterfaceType.Loopback
            && n.Supports(NetworkInterfaceComponent.IPv6));
        long zone = nic?.GetIPProperties().GetIPv6Properties().Index ?? NetworkInterface.IPv6LoopbackInterfaceIndex;
        return new IPAddress(IPAddress.Parse(literal).GetAddressBytes(), zone);
    }

    private static IPAddress? ProbeSource(IPEndPoint destination)
    {
        try
        {
            using var socket = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(destination);
            return ((IPEndPoint)socket.LocalEndPoint!).Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
