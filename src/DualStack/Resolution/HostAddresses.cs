using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>The answer to one per-family lookup.</summary>
public sealed class HostAddresses
{
    /// <summary>Creates an answer.</summary>
    /// <param name="endPoints">The endpoints found, in the resolver's order.</param>
    /// <param name="isOrdered">Whether the resolver already ordered them for connecting (the OS's getaddrinfo applies RFC 6724 and <c>/etc/gai.conf</c>).</param>
    /// <param name="canonicalName">The canonical name, where the resolver reports one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="endPoints"/> is <see langword="null"/>.</exception>
    public HostAddresses(IReadOnlyList<IPEndPoint> endPoints, bool isOrdered, string? canonicalName)
    {
        ArgumentNullException.ThrowIfNull(endPoints);
        EndPoints = endPoints;
        IsOrdered = isOrdered;
        CanonicalName = canonicalName;
    }

    /// <summary>The endpoints found; empty when the name has no address of the family asked for.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints { get; }

    /// <summary>Whether <see cref="EndPoints"/> is already in connection order; if not, callers sort it by RFC 6724.</summary>
    public bool IsOrdered { get; }

    /// <summary>The canonical name, or <see langword="null"/>.</summary>
    public string? CanonicalName { get; }

    /// <summary>How long the answer may be kept (its DNS records' smallest TTL), where the resolver knows it.</summary>
    /// <remarks>Defaults to <see langword="null"/>: unknown, as for the system resolver.</remarks>
    public TimeSpan? TimeToLive { get; init; }

    // <summary>The answer for a host that is already an address: itself if of the family asked for, else nothing.</summary>
    internal static HostAddresses FromLiteral(IPAddress literal, int port, AddressFamily family) =>
        new(Matches(literal, family) ? [new IPEndPoint(literal, port)] : [], isOrdered: true, canonicalName: null);

    // <summary>Keeps the addresses of one family, or all of them for <see cref="AddressFamily.Unspecified"/>.</summary>
    internal static bool Matches(IPAddress address, AddressFamily family) =>
        family == AddressFamily.Unspecified || address.AddressFamily == family;
}
