using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Fakes;

/// <summary>
/// A resolver whose AAAA and A answers arrive at set times on a fake clock, or fail: the same for every name, unless a
/// name has answers of its own (<see cref="AnswerFor"/>). Counts the queries per name and family.
/// </summary>
public sealed class TimedResolver(TimeProvider time) : IHostResolver
{
    private readonly Dictionary<AddressFamily, (int AfterMs, IPAddress[] Addresses, ResolutionError? Error)> _answers = [];
    private readonly Dictionary<(string Host, AddressFamily Family), (int AfterMs, IPAddress[] Addresses, ResolutionError? Error)> _named = [];
    private readonly List<(string Host, AddressFamily Family)> _queries = [];
    private int _cancelled;

    public IReadOnlyList<(string Host, AddressFamily Family)> Queries
    {
        get
        {
            lock (_queries)
            {
                return [.. _queries];
            }
        }
    }

    public TimedResolver AnswerFor(string host, AddressFamily family, int afterMs, params string[] addresses)
    {
        _named[(host, family)] = (afterMs, [.. addresses.Select(IPAddress.Parse)], null);
        return this;
    }

    public TimedResolver FailFor(string host, AddressFamily family, int afterMs, ResolutionError error)
    {
        _named[(host, family)] = (afterMs, [], error);
        return this;
    }

    public int QueryCount(string host) => Queries.Count(q => q.Host == host);

    /// <summary>Whether answers say they are already in connection order (the system resolver's do). Defaults to true.</summary>
    public bool Ordered { get; init; } = true;

    /// <summary>How many queries had their token cancelled while waiting for their answer.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

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
        lock (_queries)
        {
            _queries.Add((host, family));
        }

        var (afterMs, addresses, error) = _named.TryGetValue((host, family), out var named) ? named
            : _answers.TryGetValue(family, out var answer) ? answer
            : (0, [], null);
        // A query still waiting for its answer when its token fires counts as cancelled.
        using (cancellationToken.Register(() => Interlocked.Increment(ref _cancelled)))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(afterMs), time, cancellationToken);
        }

        return error is { } e
            ? throw new HostResolutionException(host, e, $"scripted {e}", null)
            : new HostAddresses([.. addresses.Select(a => new IPEndPoint(a, port))], isOrdered: Ordered, canonicalName: null);
    }
}
