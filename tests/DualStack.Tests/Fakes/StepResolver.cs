using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;

namespace DualStack.Tests.Fakes;

/// <summary>
/// A resolver whose answers the test gives by hand, before or after the query: nothing happens on its own, and its
/// tasks complete on the test's thread with no await of the fake's own. A query not yet answered ends when its token is
/// cancelled, and counts in <see cref="Cancelled"/>.
/// </summary>
public sealed class StepResolver : IHostResolver
{
    private readonly Dictionary<(string Host, AddressFamily Family), TaskCompletionSource<HostAddresses>> _answers = [];
    private int _cancelled;

    /// <summary>How many queries were cancelled while still waiting for their answer.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public void Answer(AddressFamily family, params string[] addresses) => Answer("server.test", family, addresses);

    public void Answer(string host, AddressFamily family, params string[] addresses) =>
        Pending(host, family).SetResult(new HostAddresses([.. addresses.Select(a => new IPEndPoint(IPAddress.Parse(a), 443))], isOrdered: true, canonicalName: null));

    public ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        var answer = Pending(host, family);
        cancellationToken.Register(() =>
        {
            if (answer.TrySetCanceled(cancellationToken))
            {
                Interlocked.Increment(ref _cancelled);
            }
        });
        return new ValueTask<HostAddresses>(answer.Task);
    }

    /// <summary>
    /// The candidates a connect by name to server.test:443 takes from this resolver, with the defaults: IPv6 preferred,
    /// both families asked for and interleaved, a 50 ms resolution delay on <paramref name="time"/>.
    /// </summary>
    internal HostCandidates Candidates(TimeProvider time) =>
        new(this, "server.test", 443, AddressFamily.InterNetworkV6, bothFamilies: true, interleave: true, 1, TimeSpan.FromMilliseconds(50), null, time, DualStackMetrics.ForConnect);

    private TaskCompletionSource<HostAddresses> Pending(string host, AddressFamily family)
    {
        lock (_answers)
        {
            return _answers.TryGetValue((host, family), out var answer) ? answer : _answers[(host, family)] = new();
        }
    }
}
