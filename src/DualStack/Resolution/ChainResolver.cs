using System.Net.Sockets;

namespace DualStack;

/// <summary>Asks several resolvers in turn: the first that knows the name answers.</summary>
/// <remarks>
/// A resolver that fails with <see cref="ResolutionError.NoSuchName"/> passes the name to the next one; any other
/// answer, an empty one included, is final. So an override table in front of the system resolver
/// (<c>new ChainResolver(table, SystemResolver.Instance)</c>) decides for the names it holds and leaves the rest
/// to the OS. When every resolver says no, the last one's error is thrown.
/// </remarks>
public sealed class ChainResolver : IHostResolver
{
    private readonly IHostResolver[] _resolvers;

    /// <summary>Creates a chain.</summary>
    /// <param name="resolvers">The resolvers, asked in this order; at least one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="resolvers"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="resolvers"/> is empty.</exception>
    public ChainResolver(params IHostResolver[] resolvers)
    {
        ArgumentNullException.ThrowIfNull(resolvers);
        if (resolvers.Length == 0)
        {
            throw new ArgumentException("a chain needs at least one resolver", nameof(resolvers));
        }

        foreach (var resolver in resolvers)
        {
            ArgumentNullException.ThrowIfNull(resolver, nameof(resolvers));
        }

        _resolvers = [.. resolvers];
    }

    /// <summary>The resolvers, in the order they are asked.</summary>
    public IReadOnlyList<IHostResolver> Resolvers => _resolvers;

    /// <inheritdoc />
    public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return await _resolvers[i].ResolveAsync(host, port, family, cancellationToken).ConfigureAwait(false);
            }
            catch (HostResolutionException e) when (e.Error == ResolutionError.NoSuchName && i < _resolvers.Length - 1)
            {
                // Not this resolver's name: ask the next.
            }
        }
    }
}
