using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DualStack;

// NAT64 on IPv6-only networks (RFC 8305 section 7.1): an IPv4 destination this host has no IPv4 route to is reached
// through an IPv6 address synthesised from the network's NAT64 prefix, which the network itself tells: DNS64 answers
// the AAAA query for ipv4only.arpa, a name with only the A records 192.0.0.170 and 192.0.0.171, with those addresses
// under its prefix (RFC 7050).
//
// Why per destination, and why a route lookup: "IPv6-only" is a property of a destination as much as of the host (a
// host may reach a local IPv4 subnet and nothing else). Connecting an unbound UDP socket asks the kernel for a route
// and a source address without sending anything, as the RFC 6724 sort already does; on a host with IPv4, that is the
// only cost synthesis adds, and nothing is asked of the network.
//
// The discovery's answer is cached per resolver, for the answer's TTL where the resolver knows it (DnsResolver) and
// ten minutes where it does not (the system resolver); a failed discovery for 30 s, so that an IPv6-only host without
// NAT64 does not ask on every connect. Both are dropped when the machine's addresses change (a new network may have
// another prefix, or IPv4).

/// <summary>
/// Reaching IPv4 destinations from IPv6-only hosts through a NAT64 translator: finding out whether this host can reach an
/// IPv4 address itself, and the network's NAT64 prefix (RFC 7050) when it cannot.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="HostnameEndpoint"/> and <see cref="UdpSocket"/> use these on their own: an IPv4 address this host has no
/// route to (an IPv4 literal, or a name with only IPv4 addresses) is replaced by the IPv6 address the translator
/// reaches it through. Where IPv4 works, nothing changes and nothing is asked.
/// </para>
/// <example>
/// <code>
/// var ipv4 = IPAddress.Parse("198.51.100.7");
/// if (!Nat64.HasIPv4Route(ipv4))
/// {
///     var prefixes = await Nat64.DiscoverPrefixesAsync(SystemResolver.Instance);
///     Console.WriteLine(prefixes[0].Synthesize(ipv4)); // 64:ff9b::c633:6407
/// }
/// </code>
/// </example>
/// </remarks>
public static class Nat64
{
    /// <summary>The name whose IPv6 addresses tell the network's NAT64 prefix: <c>ipv4only.arpa</c> (RFC 7050, RFC 8880).</summary>
    public const string DiscoveryName = "ipv4only.arpa";

    // How long a discovery's answer is kept when the resolver does not tell its TTL, and how long a failed one is.
    internal static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(10);
    internal static readonly TimeSpan FailureLifetime = TimeSpan.FromSeconds(30);

    // A discovery that takes longer fails (and is cached as failed), so that a resolver that never answers cannot hold
    // every later connect.
    internal static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(5);

    // The well-known IPv4 addresses of ipv4only.arpa (RFC 7050 section 2.2).
    private static readonly IPAddress[] s_wellKnownIPv4 = [IPAddress.Parse("192.0.0.170"), IPAddress.Parse("192.0.0.171")];

    private static readonly ConditionalWeakTable<IHostResolver, CacheEntry> s_cache = new();
    private static int s_generation;
    private static int s_watching;

    /// <summary>Whether this host can reach <paramref name="ipv4"/> over IPv4: it has a route and a source address for it.</summary>
    /// <param name="ipv4">An IPv4 address (or an IPv4-mapped IPv6 one).</param>
    /// <returns><see langword="false"/> on an IPv6-only host, or one whose IPv4 routes do not cover <paramref name="ipv4"/>.</returns>
    /// <remarks>The kernel is asked for the route (a UDP socket is connected, which sends nothing); no packet leaves the host.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="ipv4"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="ipv4"/> is not an IPv4 address.</exception>
    public static bool HasIPv4Route(IPAddress ipv4)
    {
        ArgumentNullException.ThrowIfNull(ipv4);
        var address = ipv4.IsIPv4MappedToIPv6 ? ipv4.MapToIPv4() : ipv4;
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{ipv4} is not an IPv4 address", nameof(ipv4));
        }

        return SourceAddressProbe.SourceFor(new IPEndPoint(address, 0)) is { } source && !source.Equals(IPAddress.Any);
    }

    /// <summary>Finds the network's NAT64 prefixes by asking <paramref name="resolver"/> for the IPv6 addresses of <c>ipv4only.arpa</c> (RFC 7050).</summary>
    /// <param name="resolver">The resolver to ask: the one the connect would use, so that its DNS64 answers.</param>
    /// <param name="cancellationToken">Stops waiting; a discovery already asked goes on for the next caller.</param>
    /// <returns>The prefixes found, in the answer's order; never empty.</returns>
    /// <remarks>
    /// <para>
    /// Each IPv6 address of the answer is searched for 192.0.0.170 or 192.0.0.171 at the position of every prefix length
    /// (96, 64, 56, 48, 40, 32), the longest first. The result is kept per resolver: for the answer's TTL where the
    /// resolver reports one (<see cref="HostAddresses.TimeToLive"/>), else 10 minutes; a failure for 30 seconds. Both
    /// are forgotten when this machine's addresses change. A discovery fails after 5 seconds without an answer.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="resolver"/> is <see langword="null"/>.</exception>
    /// <exception cref="HostResolutionException">
    /// No prefix: the name has no IPv6 address (no DNS64 on this network: <see cref="ResolutionError.NoData"/> or
    /// <see cref="ResolutionError.NoSuchName"/>), its addresses hold no well-known IPv4 address, or the resolver failed.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static ValueTask<IReadOnlyList<Nat64Prefix>> DiscoverPrefixesAsync(IHostResolver resolver, CancellationToken cancellationToken = default) =>
        DiscoverAsync(resolver, TimeProvider.System, cancellationToken);

    internal static async ValueTask<IReadOnlyList<Nat64Prefix>> DiscoverAsync(IHostResolver resolver, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        cancellationToken.ThrowIfCancellationRequested();
        var discovery = await s_cache.GetValue(resolver, static _ => new CacheEntry()).Get(resolver, timeProvider).WaitAsync(cancellationToken).ConfigureAwait(false);
        return discovery.Prefixes ?? throw new HostResolutionException(DiscoveryName, discovery.Error, discovery.Detail, null);
    }

    // <summary>
    // The answer with each IPv4 endpoint this host has no route to replaced: by one synthesised endpoint per NAT64 prefix,
    // or, when there is none, by the endpoint marked with why it cannot be reached. The answer itself when every IPv4
    // endpoint is reachable (nothing is asked of the network then).
    // </summary>
    internal static async Task<HostAddresses> SynthesizeAsync(
        HostAddresses answer, IHostResolver resolver, Func<IPAddress, bool> hasIPv4Route, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        List<IPEndPoint>? replaced = null;
        IReadOnlyList<Nat64Prefix>? prefixes = null;
        HostResolutionException? noPrefix = null;
        var endPoints = answer.EndPoints;
        for (int i = 0; i < endPoints.Count; i++)
        {
            var endPoint = endPoints[i];
            if (endPoint.AddressFamily != AddressFamily.InterNetwork || hasIPv4Route(endPoint.Address))
            {
                replaced?.Add(endPoint);
                continue;
            }

            if (replaced is null)
            {
                replaced = [.. endPoints.Take(i)];
                try
                {
                    prefixes = await DiscoverAsync(resolver, timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (HostResolutionException e)
                {
                    noPrefix = e;
                }
            }

            if (prefixes is null)
            {
                replaced.Add(new UnroutableEndPoint(endPoint, NoRouteMessage(endPoint.Address, noPrefix!)));
                continue;
            }

            foreach (var prefix in prefixes)
            {
                replaced.Add(new SynthesizedEndPoint(prefix.Synthesize(endPoint.Address), endPoint.Port, endPoint.Address));
            }
        }

        return replaced is null ? answer : new HostAddresses(replaced, answer.IsOrdered, answer.CanonicalName) { TimeToLive = answer.TimeToLive };
    }

    // <summary>Why an IPv4 address cannot be reached: no IPv4 route, and the NAT64 prefix discovery failed.</summary>
    internal static string NoRouteMessage(IPAddress ipv4, HostResolutionException noPrefix) =>
        $"this host has no IPv4 route to {ipv4}, and no NAT64 prefix to reach it through IPv6 ({noPrefix.Message})";

    // <summary>Forgets every discovery: the machine's addresses changed.</summary>
    internal static void Forget() => Interlocked.Increment(ref s_generation);

    // The prefixes in one answer for ipv4only.arpa, or why there are none.
    internal static Discovery Read(HostAddresses answer, DateTimeOffset now)
    {
        if (answer.EndPoints.Count == 0)
        {
            return Discovery.Failed(ResolutionError.NoData, "the name has no IPv6 address: this network has no DNS64, so no NAT64 prefix to find", now);
        }

        var prefixes = new List<Nat64Prefix>();
        foreach (var endPoint in answer.EndPoints)
        {
            foreach (var wellKnown in s_wellKnownIPv4)
            {
                if (Nat64Prefix.Find(endPoint.Address, wellKnown) is { } prefix && !prefixes.Contains(prefix))
                {
                    prefixes.Add(prefix);
                    break;
                }
            }
        }

        return prefixes.Count > 0
            ? new Discovery(prefixes, default, string.Empty, now + (answer.TimeToLive ?? DefaultLifetime))
            : Discovery.Failed(
                ResolutionError.NoData,
                $"none of its IPv6 addresses ({string.Join(", ", answer.EndPoints.Select(e => IPLiteral.FormatAddress(e.Address)))}) holds 192.0.0.170 or 192.0.0.171",
                now);
    }

    private static async Task<Discovery> AskAsync(IHostResolver resolver, TimeProvider timeProvider)
    {
        using var timeout = new CancellationTokenSource(DiscoveryTimeout, timeProvider);
        try
        {
            var answer = await resolver.ResolveAsync(DiscoveryName, 0, AddressFamily.InterNetworkV6, timeout.Token).ConfigureAwait(false);
            return Read(answer, timeProvider.GetUtcNow());
        }
        catch (HostResolutionException e)
        {
            return Discovery.Failed(e.Error, e.Detail, timeProvider.GetUtcNow());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Discovery.Failed(ResolutionError.Timeout, $"no answer within {DiscoveryTimeout.TotalSeconds:0} s", timeProvider.GetUtcNow());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A resolver of the caller's that throws something else: the discovery failed, and says why.
            return Discovery.Failed(ResolutionError.Failure, e.Message, timeProvider.GetUtcNow());
        }
    }

    // Address changes are watched from the first discovery on: most processes never need one.
    private static void WatchAddresses()
    {
        if (Interlocked.Exchange(ref s_watching, 1) != 0)
        {
            return;
        }

        try
        {
            NetworkChange.NetworkAddressChanged += static (_, _) => Forget();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or NetworkInformationException)
        {
            // Not watchable here: discoveries then last their lifetime.
        }
    }

    // <summary>One discovery's outcome: the prefixes, or the error and why; kept until <see cref="Expires"/>.</summary>
    internal sealed record Discovery(IReadOnlyList<Nat64Prefix>? Prefixes, ResolutionError Error, string Detail, DateTimeOffset Expires)
    {
        public static Discovery Failed(ResolutionError error, string detail, DateTimeOffset now) => new(null, error, detail, now + FailureLifetime);
    }

    // One resolver's discovery: the one in flight or the last one, shared by every caller until it expires.
    private sealed class CacheEntry
    {
        private readonly Lock _gate = new();
        private Task<Discovery>? _discovery;
        private int _generation;

        public Task<Discovery> Get(IHostResolver resolver, TimeProvider timeProvider)
        {
            lock (_gate)
            {
                int generation = Volatile.Read(ref s_generation);
                if (_discovery is null
                    || generation != _generation
                    || (_discovery.IsCompletedSuccessfully && _discovery.Result.Expires <= timeProvider.GetUtcNow()))
                {
                    WatchAddresses();
                    _generation = generation;
                    _discovery = AskAsync(resolver, timeProvider);
                }

                return _discovery;
            }
        }
    }
}
