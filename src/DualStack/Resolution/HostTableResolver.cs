using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>Resolves names from a fixed table of names and addresses, without touching the network.</summary>
/// <remarks>
/// Names compare case-insensitively (ASCII form). A name not in the table fails with
/// <see cref="ResolutionError.NoSuchName"/>, so that a <see cref="ChainResolver"/> moves on to its next resolver;
/// a name in the table without an address of the family asked for gives an empty answer. Answers are not in
/// connection order (<see cref="HostAddresses.IsOrdered"/> is <see langword="false"/>): callers sort them by RFC 6724.
/// </remarks>
public sealed class HostTableResolver : IHostResolver
{
    private readonly Dictionary<string, List<IPAddress>> _table = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty table; fill it with <see cref="Add(string, IPAddress)"/>.</summary>
    public HostTableResolver()
    {
    }

    /// <summary>The names in the table, each once.</summary>
    public IReadOnlyCollection<string> Names => _table.Keys;

    /// <summary>Adds an address for a name; a name may have many, of both families, kept in the order added.</summary>
    /// <param name="host">The name; internationalised names are stored in ASCII form.</param>
    /// <param name="address">The address; an IPv6 link-local address keeps its zone.</param>
    /// <returns>This table, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="host"/> is not a valid host name.</exception>
    public HostTableResolver Add(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        string name = HostName.ToAscii(host).TrimEnd('.');
        lock (_table)
        {
            if (!_table.TryGetValue(name, out var addresses))
            {
                _table[name] = addresses = [];
            }

            addresses.Add(address);
        }

        return this;
    }

    /// <inheritdoc />
    public ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        cancellationToken.ThrowIfCancellationRequested();
        List<IPEndPoint> endPoints;
        lock (_table)
        {
            if (!_table.TryGetValue(host.TrimEnd('.'), out var addresses))
            {
                throw new HostResolutionException(host, ResolutionError.NoSuchName, "not in the host table", null);
            }

            endPoints = [.. addresses.Where(a => HostAddresses.Matches(a, family)).Select(a => new IPEndPoint(a, port))];
        }

        return ValueTask.FromResult(new HostAddresses(endPoints, isOrdered: false, canonicalName: null));
    }
}
