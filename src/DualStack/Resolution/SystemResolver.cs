using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>Resolves names with the operating system's resolver (<c>getaddrinfo</c> through <see cref="Dns"/>).</summary>
/// <remarks>
/// <para>
/// A per-family query is one <c>getaddrinfo</c> call with <c>AF_INET6</c> or <c>AF_INET</c>; glibc then sends only
/// that family's DNS query, so the AAAA and A answers arrive independently. <see cref="AddressFamily.Unspecified"/>
/// is one <c>AF_UNSPEC</c> call, whose answer the C library has already sorted (RFC 6724, <c>/etc/gai.conf</c>):
/// answers are marked <see cref="HostAddresses.IsOrdered"/> and keep that order.
/// </para>
/// <para>
/// <see cref="Dns.GetHostEntryAsync(string, AddressFamily, CancellationToken)"/> runs a blocking <c>getaddrinfo</c>
/// on a thread-pool thread that cancellation cannot interrupt; the returned task completes as cancelled when the
/// token fires, and the lookup finishes in the background.
/// </para>
/// </remarks>
public sealed class SystemResolver : IHostResolver
{
    private SystemResolver()
    {
    }

    /// <summary>The one instance.</summary>
    public static SystemResolver Instance { get; } = new();

    /// <inheritdoc />
    public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        cancellationToken.ThrowIfCancellationRequested();
        if (IPLiteral.TryParseAddress(host, out var literal))
        {
            return HostAddresses.FromLiteral(literal, port, family);
        }

        IPHostEntry entry;
        try
        {
            entry = await Dns.GetHostEntryAsync(host, family, cancellationToken)
                .WaitAsync(cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.NoData)
        {
            // The name exists without an address of this family: an empty answer, not a failure.
            return new HostAddresses([], isOrdered: true, canonicalName: null);
        }
        catch (SocketException e)
        {
            throw new HostResolutionException(host, Map(e.SocketErrorCode), e.Message, e);
        }

        var endPoints = new List<IPEndPoint>(entry.AddressList.Length);
        foreach (var address in entry.AddressList)
        {
            // For the machine's own name .NET appends every interface address, whatever the family asked.
            if (family == AddressFamily.Unspecified || address.AddressFamily == family)
            {
                endPoints.Add(new IPEndPoint(address, port));
            }
        }

        return new HostAddresses(endPoints, isOrdered: true, canonicalName: string.IsNullOrEmpty(entry.HostName) ? null : entry.HostName);
    }

    private static ResolutionError Map(SocketError error) => error switch
    {
        SocketError.HostNotFound => ResolutionError.NoSuchName,
        SocketError.TryAgain => ResolutionError.TryAgain,
        SocketError.NoData => ResolutionError.NoData,
        SocketError.AddressFamilyNotSupported => ResolutionError.FamilyNotSupported,
        SocketError.TimedOut => ResolutionError.Timeout,
        _ => ResolutionError.Failure,
    };
}
