using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DualStack.Benchmarks;

/// <summary>
/// Warm connects on loopback, one process, the two sides alternating connect by connect: DualStack's
/// <see cref="HostnameEndpoint"/> against a plain dual-mode <see cref="Socket"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each connect is timed on its own, from before the socket exists (plain) or before <c>ConnectAsync</c> (DualStack)
/// until a connected socket is returned; closing it is not timed. The figure is the median over the connects, after
/// a warm-up of each side, so that JIT and tiering are done. Who goes first alternates, so that neither always runs
/// right after the other's close.
/// </para>
/// <para>
/// Targets: an address literal (<c>new HostnameEndpoint("::1", port)</c> against <c>ConnectAsync(IPEndPoint)</c>), and
/// <c>localhost</c> from <c>/etc/hosts</c> against <c>ConnectAsync(DnsEndPoint)</c>. The name is measured only where
/// <c>/etc/hosts</c> maps it for both families: DualStack looks up each family on its own, and a family the hosts file
/// does not answer goes to the machine's DNS server, off this machine.
/// </para>
/// Run: <c>dotnet run -c Release --project benchmarks/DualStack.Benchmarks -- paired connect</c>.
/// </remarks>
internal static class PairedConnectComparison
{
    private const int Connects = 401;
    private const int WarmUpConnects = 50;
    private const string HostsName = "localhost";

    public static async Task RunAsync()
    {
        await using var server = await LoopbackAcceptor.StartAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Warm connects on loopback, {Connects} per side, alternating; times from start to connected socket."));
        Console.WriteLine();
        Console.WriteLine("| Target | Plain .NET | Plain median µs | DualStack median µs | DualStack / plain (medians) | Middle half, plain µs | Middle half, DualStack µs |");
        Console.WriteLine("|---|---|---:|---:|---:|---|---|");
        foreach (var address in new[] { IPAddress.IPv6Loopback, IPAddress.Loopback })
        {
            var remote = new IPEndPoint(address, server.Port);
            var endpoint = new HostnameEndpoint(address.ToString(), server.Port);
            await CompareAsync($"`{address}` literal", "`ConnectAsync(IPEndPoint)`", () => PlainAsync(remote), () => DualStackAsync(endpoint));
        }

        if (HostsFileGap(HostsName) is { } gap)
        {
            Console.WriteLine($"| `{HostsName}` (hosts file) | `ConnectAsync(DnsEndPoint)` | not measured: {gap} | | | | |");
        }
        else
        {
            var name = new DnsEndPoint(HostsName, server.Port);
            var endpoint = new HostnameEndpoint(HostsName, server.Port);
            await CompareAsync($"`{HostsName}` (hosts file)", "`ConnectAsync(DnsEndPoint)`", () => PlainAsync(name), () => DualStackAsync(endpoint));
        }
    }

    private static async Task CompareAsync(string target, string plainName, Func<Task<double>> plain, Func<Task<double>> dualStack)
    {
        for (int i = 0; i < WarmUpConnects; i++)
        {
            await plain();
            await dualStack();
        }

        var plainTimes = new List<double>(Connects);
        var dualStackTimes = new List<double>(Connects);
        for (int i = 0; i < Connects; i++)
        {
            if (i % 2 == 0)
            {
                plainTimes.Add(await plain());
                dualStackTimes.Add(await dualStack());
            }
            else
            {
                dualStackTimes.Add(await dualStack());
                plainTimes.Add(await plain());
            }
        }

        plainTimes.Sort();
        dualStackTimes.Sort();
        double plainMedian = plainTimes[Connects / 2];
        double dualStackMedian = dualStackTimes[Connects / 2];
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {target} | {plainName} | {plainMedian:0.0} | {dualStackMedian:0.0} | {dualStackMedian / plainMedian:0.00} | {MiddleHalf(plainTimes)} | {MiddleHalf(dualStackTimes)} |"));
    }

    // Microseconds to a connected socket: the dual-mode socket .NET's own code makes, created inside the timed span.
    private static async Task<double> PlainAsync(EndPoint remote)
    {
        long start = TimeProvider.System.GetTimestamp();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(remote);
        return TimeProvider.System.GetElapsedTime(start).TotalMicroseconds;
    }

    private static async Task<double> DualStackAsync(HostnameEndpoint endpoint)
    {
        long start = TimeProvider.System.GetTimestamp();
        await using var connection = await endpoint.ConnectAsync();
        return TimeProvider.System.GetElapsedTime(start).TotalMicroseconds;
    }

    private static string MiddleHalf(List<double> sorted) =>
        string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 4]:0.0}–{sorted[(3 * sorted.Count / 4) - 1]:0.0}");

    // Why /etc/hosts does not answer both families for the name, or null when it does.
    private static string? HostsFileGap(string name)
    {
        var families = new HashSet<AddressFamily>();
        foreach (string line in File.Exists("/etc/hosts") ? File.ReadLines("/etc/hosts") : [])
        {
            string[] words = line.Split('#')[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 1 && words.Skip(1).Contains(name, StringComparer.OrdinalIgnoreCase) && IPAddress.TryParse(words[0], out var address))
            {
                families.Add(address.AddressFamily);
            }
        }

        return families.Contains(AddressFamily.InterNetworkV6) && families.Contains(AddressFamily.InterNetwork)
            ? null
            : $"/etc/hosts maps {name} to {(families.Count == 0 ? "nothing" : string.Join(" and ", families.Select(f => f == AddressFamily.InterNetwork ? "IPv4" : "IPv6")))} only, so the other family's lookup would go to the DNS server";
    }
}
