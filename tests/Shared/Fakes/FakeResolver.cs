using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Shared.Fakes;

/// <summary>A resolver that answers every name with the same addresses (or fails), and counts its queries.</summary>
public sealed class FakeResolver(params IPAddress[] addresses) : IHostResolver
{
    private int _queries;

    public ResolutionError? FailWith { get; init; }

    public int Queries => _queries;

    public ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _queries);
        cancellationToken.ThrowIfCancellationRequested();
        if (FailWith is { } error)
        {
            throw new HostResolutionException(host, error, "table says no", null);
        }

        var endPoints = addresses.Where(a => a.AddressFamily == family).Select(a => new IPEndPoint(a, port)).ToList();
        return ValueTask.FromResult(new HostAddresses(endPoints, isOrdered: false, canonicalName: null));
    }
}
