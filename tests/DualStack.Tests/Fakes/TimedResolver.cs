using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Fakes;

/// <summary>A resolver whose AAAA and A answers arrive at set times on a fake clock, or fail.</summary>
public sealed class TimedResolver(TimeProvider time) : IHostResolver
{
    private readonly Dictionary<AddressFamily, (int AfterMs, IPAddress[] Addresses, ResolutionError? Error)> _answers = [];

    public TimedResolver Answer(AddressFamily family, int afterMs, params string[] addresses)
    {
        _answers[family] = (afterMs, [.. addresses.Select(IPAddress.Parse)], null);
        return this;
    }

    public TimedResolver Fail(AddressFamily family, int afterMs, ResolutionError error)
    {
        _answers[family] = (afterMs, [], error);
        return this;
    }

    public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        var (afterMs, addresses, error) = _answers.TryGetValue(family, out var answer) ? answer : (0, [], null);
        await Task.Delay(TimeSpan.FromMilliseconds(afterMs), time, cancellationToken);
        return error is { } e
            ? throw new HostResolutionException(host, e, $"scripted {e}", null)
            : new HostAddresses([.. addresses.Select(a => new IPEndPoint(a, port))], isOrdered: true, canonicalName: null);
    }
}
