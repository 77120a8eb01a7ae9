using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>Resolves names with the operating system's resolver (<c>getaddrinfo</c> through <see cref="Dns"/>), one family per call.</summary>
/// <remarks>
/// Answers keep the OS's order, which on Linux follows RFC 6724 as configured in <c>/etc/gai.conf</c>.
/// <see cref="Dns.GetHostAddressesAsync(string, AddressFamily, CancellationToken)"/> runs a blocking
/// <c>getaddrinfo</c> on a thread-pool thread that cancellation cannot interrupt; the returned task does
/// complete as cancelled when the token fires, and the lookup finishes in the background.
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
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, family, cancellationToken)
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

        var endPoints = new List<IPEndPoint>(addresses.Length);
        foreach (var address in addresses)
        {
            // For the machine's own name .NET appends every interface address, whatever the family asked.
            if (address.AddressFamily == family)
            {
                endPoints.Add(new IPEndPoint(address, port));
            }
        }

        return new HostAddresses(endPoints, isOrdered: true, canonicalName: null);
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
