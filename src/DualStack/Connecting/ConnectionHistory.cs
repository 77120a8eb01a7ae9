using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// Remembers which address family recently won a connect to each host, so that the next connect starts with it
/// (RFC 8305 section 4 allows such history).
/// </summary>
/// <remarks>
/// <para>
/// Opt-in: give one instance to the <see cref="HostnameEndpoint"/>s that should share it. After a connect to a host
/// whose IPv6 is broken was won by IPv4, the next connect to that host tries IPv4 first and does not wait an attempt
/// delay for IPv6 again. Entries expire after <see cref="Lifetime"/>, and all are forgotten when this machine's
/// addresses change (<see cref="NetworkChange.NetworkAddressChanged"/>), since a new network may be one where IPv6 works.
/// At most 1,024 hosts are remembered; the oldest entry makes room for a new one.
/// </para>
/// <para>
/// A history holds nothing to release. One process-wide subscription to address changes, made when the first entry is
/// recorded, serves every history, so creating one per client or per handler costs nothing but its table.
/// </para>
/// </remarks>
public sealed class ConnectionHistory
{
    // The most hosts remembered at once: the oldest entry makes room for a new one.
    internal const int Capacity = 1024;

    // Bumped on every address change; an entry recorded under an older generation is forgotten. One static subscription
    // rather than one per history: NetworkChange costs a fresh process about 15 ms to start (a netlink socket and its
    // reader), which a connect should not pay, and a per-instance handler would keep every history alive for the
    // process's lifetime unless disposed.
    private static int s_addressGeneration;
    private static int s_listening;

    private readonly Dictionary<string, (AddressFamily Family, long Timestamp, int Generation)> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a history whose entries count for <see cref="DefaultLifetime"/> on the system clock.</summary>
    public ConnectionHistory()
        : this(null, null)
    {
    }

    /// <summary>Creates a history.</summary>
    /// <param name="lifetime">How long an entry counts; <see langword="null"/> for <see cref="DefaultLifetime"/> (10 minutes).</param>
    /// <param name="timeProvider">The clock for expiry; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lifetime"/> is zero or negative.</exception>
    public ConnectionHistory(TimeSpan? lifetime, TimeProvider? timeProvider)
    {
        Lifetime = lifetime ?? DefaultLifetime;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Lifetime, TimeSpan.Zero, nameof(lifetime));
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long an entry counts unless the constructor says otherwise: 10 minutes.</summary>
    public static TimeSpan DefaultLifetime { get; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an entry counts.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Records that a connect to <paramref name="host"/> was won over <paramref name="family"/>.</summary>
    /// <param name="host">The host name, as given to the endpoint.</param>
    /// <param name="family">The winning address family.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    public void Record(string host, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(host);
        ListenForAddressChanges();
        lock (_entries)
        {
            if (_entries.Count >= Capacity && !_entries.ContainsKey(host))
            {
                _entries.Remove(_entries.MinBy(e => e.Value.Timestamp).Key);
            }

            _entries[host] = (family, _timeProvider.GetTimestamp(), Volatile.Read(ref s_addressGeneration));
        }
    }

    /// <summary>The family that last won a connect to <paramref name="host"/>, if that was within <see cref="Lifetime"/>.</summary>
    /// <param name="host">The host name.</param>
    /// <param name="family">The family, when the method returns <see langword="true"/>.</param>
    /// <returns>Whether a live entry exists.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    public bool TryGetWinningFamily(string host, out AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(host);
        lock (_entries)
        {
            if (_entries.TryGetValue(host, out var entry))
            {
                if (_timeProvider.GetElapsedTime(entry.Timestamp) < Lifetime && entry.Generation == Volatile.Read(ref s_addressGeneration))
                {
                    family = entry.Family;
                    return true;
                }

                _entries.Remove(host);
            }
        }

        family = AddressFamily.Unspecified;
        return false;
    }

    /// <summary>Forgets every host.</summary>
    public void Clear()
    {
        lock (_entries)
        {
            _entries.Clear();
        }
    }

    // <summary>Forgets what every history recorded so far, as an address change of this machine does.</summary>
    internal static void OnAddressChanged() => Interlocked.Increment(ref s_addressGeneration);

    private static void ListenForAddressChanges()
    {
        if (Volatile.Read(ref s_listening) == 0 && Interlocked.Exchange(ref s_listening, 1) == 0)
        {
            NetworkChange.NetworkAddressChanged += static (_, _) => OnAddressChanged();
        }
    }
}
