using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Fakes;

/// <summary>How <see cref="FaultyResolver"/> answers one family.</summary>
public enum ResolverFault
{
    /// <summary>Answers with the addresses given, at once.</summary>
    Answer,

    /// <summary>Throws from ResolveAsync itself, before returning a task.</summary>
    ThrowSynchronously,

    /// <summary>Returns a task that fails after the delay.</summary>
    ThrowAsynchronously,

    /// <summary>Never answers; ends when its token is cancelled.</summary>
    HangUntilCancelled,

    /// <summary>Never answers and ignores its token (a resolver stuck in a blocking call).</summary>
    HangIgnoringCancellation,
}

/// <summary>A resolver that misbehaves per family, on a fake clock, and counts the lookups still running.</summary>
public sealed class FaultyResolver(TimeProvider time) : IHostResolver
{
    private readonly Dictionary<AddressFamily, (ResolverFault Fault, int AfterMs, IPAddress[] Addresses)> _script = [];
    private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _lookups = [];
    private int _running;

    /// <summary>Lookups that have started and not ended.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Completes when every lookup started so far has ended, whatever its outcome.</summary>
    public Task AllEnded
    {
        get
        {
            lock (_lookups)
            {
                return Task.WhenAll(_lookups).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    public FaultyResolver On(AddressFamily family, ResolverFault fault, int afterMs = 0, params IEnumerable<IPAddress> addresses)
    {
        _script[family] = (fault, afterMs, [.. addresses]);
        return this;
    }

    /// <summary>Lets every lookup that ignores cancellation end (with an error), as a stuck call finally returning would.</summary>
    public void ReleaseStuckLookups() => _never.TrySetResult();

    public ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        var (fault, afterMs, addresses) = _script.TryGetValue(family, out var step) ? step : (ResolverFault.Answer, 0, []);
        if (fault == ResolverFault.ThrowSynchronously)
        {
            throw new InvalidOperationException($"resolver bug ({family}, synchronous)");
        }

        var lookup = RunAsync(fault, afterMs, addresses, port, family, cancellationToken);
        lock (_lookups)
        {
            _lookups.Add(lookup);
        }

        return new ValueTask<HostAddresses>(lookup);
    }

    private async Task<HostAddresses> RunAsync(ResolverFault fault, int afterMs, IPAddress[] addresses, int port, AddressFamily family, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            switch (fault)
            {
                case ResolverFault.HangUntilCancelled:
                    await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                    break;
                case ResolverFault.HangIgnoringCancellation:
                    await _never.Task;
                    throw new InvalidOperationException($"resolver bug ({family}, returned after being stuck)");
                default:
                    await Task.Delay(TimeSpan.FromMilliseconds(afterMs), time, cancellationToken);
                    break;
            }

            return fault == ResolverFault.ThrowAsynchronously
                ? throw new InvalidOperationException($"resolver bug ({family}, asynchronous)")
                : new HostAddresses([.. addresses.Select(a => new IPEndPoint(a, port))], isOrdered: true, canonicalName: null);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }
}
