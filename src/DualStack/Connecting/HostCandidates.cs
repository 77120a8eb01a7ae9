using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;

namespace DualStack;

// Turning a name into candidates as they arrive (RFC 8305 sections 3 and 4).
//
// The AAAA and A queries are sent at once and answer independently. The candidates are handed to the race one
// at a time, when it asks, so each choice uses everything known at that moment:
// - Resolution delay (section 3): if the preferred family (IPv6 unless history says otherwise) answers first,
//   its addresses go out at once. If the other family answers first, its addresses are held back for up to the
//   resolution delay (50 ms), so that a slightly slower AAAA answer still gets the first attempt.
// - Interleaving (section 4): the first "first address family count" candidates come from the preferred family,
//   then the families alternate; a family with nothing left (or not answered yet) gives way to the other.
//   An answer that arrives late joins the alternation for the candidates not yet handed out.
// - Within a family, answers the resolver already ordered keep their order; others are sorted by RFC 6724.
// - Each family's answer loses its duplicates and is cut to MaxAddressesPerFamily (64) before anything else.
// - One family failing is not an error while the other has addresses; if neither yields any address, the
//   enumeration ends with the resolution error (the preferred family's, else the other's).
// - NAT64 (RFC 8305 section 7.1), when given a route check: the IPv4 answer's addresses this host has no IPv4 route to are
//   replaced by IPv6 addresses synthesised from the network's NAT64 prefix (Nat64.SynthesizeAsync) before the family
//   counts as answered. An address handed out once is not handed out again, so a DNS64 answer's AAAA address and the
//   same address synthesised from the A answer make one attempt.
//
// Rejected: resolving both families before racing (a slow AAAA would delay everything, which is what this
// library exists to avoid), and pushing candidates into the race (the race would have to re-sort what it holds).
internal sealed class HostCandidates(
    IHostResolver resolver,
    string host,
    int port,
    AddressFamily preferred,
    bool bothFamilies,
    bool interleave,
    int firstFamilyCount,
    TimeSpan resolutionDelay,
    Func<IPAddress, bool>? hasIPv4Route,
    TimeProvider timeProvider,
    DualStackMetrics metrics) : IAsyncEnumerable<IPEndPoint>
{
    // <summary>
    // The most addresses of one family that a connect considers, after dropping duplicates (docs/reliability.md).
    // </summary>
    // <remarks>
    // A 512-byte UDP DNS answer holds at most 28 A records, and real hosts publish a handful; 64 leaves room for any
    // honest answer while bounding what a forged or broken one (a 64 KiB TCP answer, a huge hosts file) can cost.
    // </remarks>
    internal const int MaxAddressesPerFamily = 64;

    public async IAsyncEnumerator<IPEndPoint> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var other = preferred == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        using var querySource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var preferredFamily = new Family(Query(preferred, querySource.Token));
        var otherFamily = new Family(bothFamilies ? Query(other, querySource.Token) : Task.FromResult(new HostAddresses([], isOrdered: true, canonicalName: null)));
        Task? delay = null;
        var handedOut = new HashSet<IPEndPoint>();
        int preferredHandedOut = 0;
        bool lastWasPreferred = false;
        try
        {
            while (true)
            {
                preferredFamily.Absorb();
                otherFamily.Absorb();
                // The other family has answered with addresses (its queue fills only then) before the preferred one: hold them back.
                if (!preferredFamily.Answered && delay is null && otherFamily.Queue.Count > 0)
                {
                    delay = Task.Delay(resolutionDelay, timeProvider, querySource.Token);
                }

                bool holdOther = !preferredFamily.Answered && delay is not { IsCompleted: true };
                bool preferredTurn = !interleave || preferredHandedOut < firstFamilyCount || !lastWasPreferred;
                Family? next = null;
                if (preferredTurn && preferredFamily.Queue.Count > 0)
                {
                    next = preferredFamily;
                }
                else if (!holdOther && otherFamily.Queue.Count > 0 && (interleave || preferredFamily.Answered))
                {
                    next = otherFamily;
                }
                else if (preferredFamily.Queue.Count > 0)
                {
                    next = preferredFamily;
                }

                if (next is not null)
                {
                    var endPoint = next.Queue.Dequeue();
                    if (handedOut.Add(endPoint))
                    {
                        lastWasPreferred = next == preferredFamily;
                        preferredHandedOut += lastWasPreferred ? 1 : 0;
                        yield return endPoint;
                    }

                    continue;
                }

                if (preferredFamily.Answered && otherFamily.Answered)
                {
                    break;
                }

                var waitFor = new List<Task>(3);
                if (!preferredFamily.Answered)
                {
                    waitFor.Add(preferredFamily.Answer);
                }

                if (!otherFamily.Answered)
                {
                    waitFor.Add(otherFamily.Answer);
                }

                // A delay still running here means the preferred family has not answered (the delay starts only once the other
                // has, and with both answered there is no waiting), so the addresses it holds back are all still queued.
                if (delay is { IsCompleted: false })
                {
                    waitFor.Add(delay);
                }

                await Task.WhenAny(waitFor).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (handedOut.Count == 0)
            {
                throw preferredFamily.Error ?? otherFamily.Error ?? HostResolutionException.NoAddresses(host);
            }
        }
        finally
        {
            // Cancelling ends all that was started here: each query is awaited through WaitAsync on this token (Lookup), and
            // the delay runs on it; CancelAsync returns once their callbacks have run. The awaits after it are a guard, kept so
            // that nothing this enumerator started can outlive it should that change: today they find every task ended.
            await querySource.CancelAsync().ConfigureAwait(false);
            await ((Task)preferredFamily.Answer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ((Task)otherFamily.Answer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (delay is not null)
            {
                await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private Task<HostAddresses> Query(AddressFamily family, CancellationToken cancellationToken)
    {
        var lookup = Lookup(family, cancellationToken);
        return hasIPv4Route is not null && family == AddressFamily.InterNetwork ? SynthesizeAsync(lookup, hasIPv4Route, cancellationToken) : lookup;
    }

    private async Task<HostAddresses> SynthesizeAsync(Task<HostAddresses> lookup, Func<IPAddress, bool> hasRoute, CancellationToken cancellationToken) =>
        await Nat64.SynthesizeAsync(await lookup.ConfigureAwait(false), resolver, hasRoute, timeProvider, cancellationToken).ConfigureAwait(false);

    private Task<HostAddresses> Lookup(AddressFamily family, CancellationToken cancellationToken)
    {
        Task<HostAddresses> lookup;
        try
        {
            lookup = metrics.ResolveDurationEnabled || DualStackActivities.HasListeners
                ? ObservedQueryAsync(family, cancellationToken)
                : resolver.ResolveAsync(host, port, family, cancellationToken).AsTask();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<HostAddresses>(e);
        }

        if (lookup.IsCompleted)
        {
            return lookup;
        }

        // A resolver that does not hear its token (one stuck in a blocking call) must not hold the connect past its
        // timeout or the caller's cancellation: stop waiting for it when the token fires. Whatever it ends with later
        // is observed here, so no exception goes unobserved; the lookup itself is the resolver's to end.
        _ = lookup.ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return lookup.WaitAsync(cancellationToken);
    }

    // A query measured (dualstack.resolve.duration) and traced (a dualstack.resolve span under the connect's).
    private async Task<HostAddresses> ObservedQueryAsync(AddressFamily family, CancellationToken cancellationToken)
    {
        using var activity = DualStackActivities.StartResolve(host, family);
        long start = timeProvider.GetTimestamp();
        try
        {
            var answer = await resolver.ResolveAsync(host, port, family, cancellationToken).ConfigureAwait(false);
            metrics.RecordResolve(timeProvider.GetElapsedTime(start), family, errorType: null);
            activity?.SetTag(DualStackActivities.AddressCountTag, answer.EndPoints.Count);
            return answer;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            metrics.RecordResolve(timeProvider.GetElapsedTime(start), family, ErrorTypes.Of(e));
            if (activity is not null)
            {
                DualStackActivities.SetError(activity, e);
            }

            throw;
        }
    }

    private sealed class Family(Task<HostAddresses> answer)
    {
        public Task<HostAddresses> Answer { get; } = answer;

        public Queue<IPEndPoint> Queue { get; } = new();

        public bool Answered { get; private set; }

        public Exception? Error { get; private set; }

        public void Absorb()
        {
            if (Answered || !Answer.IsCompleted)
            {
                return;
            }

            Answered = true;
            if (!Answer.IsCompletedSuccessfully)
            {
                // A cancelled query is the caller's cancellation, reported by the race; keep real errors only.
                Error = Answer.Exception?.InnerException is { } e and not OperationCanceledException ? e : null;
                return;
            }

            // An address listed twice is tried once (its first place counts), and at most MaxAddressesPerFamily are kept,
            // before sorting: the sort probes one socket per address, and a hostile or broken answer must not cost
            // thousands of probes and attempts.
            var result = Answer.Result;
            var kept = result.EndPoints.Distinct().Take(MaxAddressesPerFamily).ToList();
            IEnumerable<IPEndPoint> ordered = result.IsOrdered ? kept : DestinationAddressSelection.Sort(kept);
            foreach (var endPoint in ordered)
            {
                Queue.Enqueue(endPoint);
            }
        }
    }
}
