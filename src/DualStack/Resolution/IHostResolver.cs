using System.Net.Sockets;

namespace DualStack;

/// <summary>Turns a host name into addresses of one family: the seam through which every connect by name resolves.</summary>
/// <remarks>
/// <para>
/// One call asks for one family (an AAAA or an A query) so that a caller racing both families can start
/// on whichever answer comes first, and a slow family does not hold back the other.
/// <see cref="AddressFamily.Unspecified"/> asks for both in one answer, in the resolver's own order where it
/// has one (the system resolver's <c>getaddrinfo(AF_UNSPEC)</c> sorts across families by RFC 6724 and
/// <c>/etc/gai.conf</c>); <see cref="HostLookup.GetAddressInfoAsync"/> uses it.
/// </para>
/// <para>
/// The port travels with the name because some resolvers change both: an <c>ssh_config</c> alias maps
/// <c>Host db</c> to a <c>HostName</c> and a <c>Port</c>. Resolvers are injected per endpoint.
/// </para>
/// </remarks>
public interface IHostResolver
{
    /// <summary>Resolves <paramref name="host"/> to endpoints of one address family.</summary>
    /// <param name="host">A host name (ASCII form, see <see cref="HostName.ToAscii(string)"/>).</param>
    /// <param name="port">The port to put in the endpoints, unless the resolver maps it to another.</param>
    /// <param name="family"><see cref="AddressFamily.InterNetworkV6"/>, <see cref="AddressFamily.InterNetwork"/>, or <see cref="AddressFamily.Unspecified"/> for both.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The endpoints, possibly none when the name has no address of that family.</returns>
    /// <exception cref="HostResolutionException">The name does not exist, the resolver failed or timed out.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default);
}
