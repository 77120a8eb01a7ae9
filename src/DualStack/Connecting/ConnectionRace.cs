using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using DualStack.Diagnostics;
using DualStack.Internal;
using Microsoft.Extensions.Logging;

namespace DualStack;

// The race (RFC 8305 section 5; SPEC R8, R11): start the first candidate, then one more each time the
// attempt delay passes or an attempt fails, whichever comes first; the first attempt to connect wins,
// every other one is cancelled and its socket closed.
//
// Why this shape:
// - Candidates are an IAsyncEnumerable that the race pulls from only when it is ready to start the next
//   attempt. A hostname endpoint's candidates are still arriving (AAAA and A answer separately); pulling
//   late means the next candidate is chosen with everything known by then, so a late IPv6 answer is
//   interleaved into what remains instead of being appended behind every IPv4 address.
// - One loop owns every attempt task, the delay timer and the pending "next candidate" request, and awaits
//   Task.WhenAny over them, so exactly one place picks the winner: a success and a failure landing at the
//   same instant are seen one after the other, and only the first success becomes the result.
// - The engine never throws for network outcomes; it returns every attempt with its outcome and the caller
//   decides what the user sees (a connection, a ConnectionRaceException, a HostResolutionException, or the
//   caller's own OperationCanceledException). Twisted's and the runtime's races keep one error only; trio
//   keeps them all, as we do (SPEC R9).
// - An attempt is whatever the connect function does, and the engine is generic over what it makes: a socket for a
//   TCP race, or a socket and a TLS stream when the TLS endpoint races through its handshake (an attempt then wins
//   only when its handshake completes, so a family where TCP connects but TLS stalls does not win). Making the
//   engine generic, rather than giving it a TLS flag, keeps TLS out of the race and the race's tests unchanged.
// - The finally block cancels what is still running and awaits it, closing (releasing) whatever connected after
//   the winner (SPEC R15: nothing left behind, no task unobserved), and cancels the delay timer so that no
//   timer outlives the race.

/// <summary>Races connection attempts to a sequence of candidate endpoints and keeps the first that connects.</summary>
/// <remarks>
/// This is the racing half of <see cref="HostnameEndpoint"/>, usable on its own with candidates from anywhere
/// (SPEC R11): the first candidate is tried at once, the next when <see cref="ConnectionRaceOptions.AttemptDelay"/>
/// passes or as soon as an attempt fails. The candidates may still be arriving; the race waits for them.
/// </remarks>
public static class ConnectionRace
{
    /// <summary>
    /// The most attempts one race starts; candidates after that are not pulled, and the race fails with the attempts made
    /// (docs/reliability.md).
    /// </summary>
    /// <remarks>
    /// Without it, candidates that never end and connects that fail at once (refused) would start attempts, and grow the
    /// list of attempts, for the whole connect timeout. A hostname endpoint offers at most 128 (64 per family).
    /// </remarks>
    internal const int MaxAttempts = 1000;

    // The category CreateLogger(typeof(ConnectionRace)) would give, without formatting a type name on every connect.
    private const string LoggerCategory = "DualStack.ConnectionRace";

    private static readonly Func<Socket, IPEndPoint, CancellationToken, ValueTask<Socket>> s_noStep = static (socket, _, _) => ValueTask.FromResult(socket);
    private static readonly Func<Socket, ValueTask> s_releaseNothing = static _ => ValueTask.CompletedTask;

    /// <summary>Connects to the first candidate that answers.</summary>
    /// <param name="target">What is being connected to, for errors and logs (<c>example.com:443</c>).</param>
    /// <param name="candidates">The endpoints to try, in order; may still be arriving.</param>
    /// <param name="options">How to race; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the race; every socket it opened is closed.</param>
    /// <returns>The winning connection; its <see cref="StreamConnection.Attempts"/> holds the whole timeline.</returns>
    /// <exception cref="ConnectionRaceException">Every attempt failed, there was no candidate, or the timeout passed.</exception>
    /// <exception cref="HostResolutionException">The candidates failed to arrive (a resolution error) before any attempt started.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StreamConnection> ConnectAsync(
        string target, IAsyncEnumerable<IPEndPoint> candidates, ConnectionRaceOptions? options = null, CancellationToken cancellationToken = default)
    {
        var won = await ConnectAsync(target, candidates, options, s_noStep, s_releaseNothing, cancellationToken).ConfigureAwait(false);
        return StreamConnection.FromConnectedSocket(won.Socket, won.Attempts);
    }

    /// <summary>
    /// Races candidates where an attempt wins only once <paramref name="afterConnect"/> has also completed on its socket
    /// (a TLS handshake: RFC 8305's successor, "Happy Eyeballs v3", counts a connection as established only when the
    /// security handshake is done). A failing step fails its attempt, which starts the next one at once.
    /// </summary>
    /// <param name="target">What is being connected to, for errors and logs.</param>
    /// <param name="candidates">The endpoints to try, in order; may still be arriving.</param>
    /// <param name="options">How to race; <see langword="null"/> for the defaults.</param>
    /// <param name="afterConnect">Runs on each connected socket; owns the socket only in what it returns.</param>
    /// <param name="release">Closes a step's result that lost (the socket is closed after it).</param>
    /// <param name="cancellationToken">Cancels the race.</param>
    internal static Task<RaceWinner<T>> ConnectAsync<T>(
        string target,
        IAsyncEnumerable<IPEndPoint> candidates,
        ConnectionRaceOptions? options,
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect,
        Func<T, ValueTask> release,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return ConnectAsync(target, candidates, only: null, Settings(options ?? new ConnectionRaceOptions()), afterConnect, release, cancellationToken);
    }

    /// <summary>Races <paramref name="candidates"/> (or connects to <paramref name="only"/>, the one endpoint there is).</summary>
    /// <remarks>
    /// With one known endpoint (an address literal) the outcomes are those of a race of one: the same attempt timeline,
    /// errors, logs, metrics and spans, without the race's candidate enumerator, attempt timer and task juggling.
    /// </remarks>
    internal static async Task<RaceWinner<T>> ConnectAsync<T>(
        string target,
        IAsyncEnumerable<IPEndPoint>? candidates,
        IPEndPoint? only,
        RaceSettings settings,
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect,
        Func<T, ValueTask> release,
        CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        cancellationToken.ThrowIfCancellationRequested();
        var time = settings.TimeProvider;
        long start = time.GetTimestamp();
        using var timeoutSource = new CancellationTokenSource(settings.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var bind = settings.BindEndPoint;
        var logger = settings.LoggerFactory.CreateLogger(LoggerCategory);
        var connector = settings.Connector ?? ((remote, token) => SocketConnector.ConnectAsync(remote, bind, Timeout.InfiniteTimeSpan, time, token));
        Func<IPEndPoint, CancellationToken, ValueTask<RaceWinner<T>>> attempt = (remote, token) => ConnectThenStepAsync(connector, afterConnect, remote, token);
        var metrics = settings.Metrics;
        var result = only is not null
            ? await RunOneAsync(only, bind?.AddressFamily, attempt, winner => ReleaseAsync(winner, release), time, start, logger, metrics, settings.ServerAddress, linked.Token)
                .ConfigureAwait(false)
            : await RunAsync<RaceWinner<T>>(
                candidates!,
                settings.AttemptDelay,
                settings.MaxConcurrentAttempts,
                bind?.AddressFamily,
                attempt,
                winner => ReleaseAsync(winner, release),
                time,
                start,
                logger,
                metrics,
                settings.ServerAddress,
                linked.Token).ConfigureAwait(false);

        if (result.Winner is { } won)
        {
            return won with { Attempts = result.Attempts };
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (result.CandidateError is { } error && result.Attempts.Count == 0)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        var failure = new ConnectionRaceException(target, result.Attempts, timedOut: timeoutSource.IsCancellationRequested);
        ConnectLog.RaceFailed(logger, target, result.Attempts.Count, failure);
        throw failure;
    }

    /// <summary>
    /// The engine: never throws for network outcomes, returns every attempt. An attempt is whatever
    /// <paramref name="connect"/> does (a TCP connect, or a connect and a TLS handshake); <paramref name="release"/>
    /// closes what an attempt made when it finishes after the winner. Each attempt is counted in <paramref name="metrics"/>
    /// and, when someone listens, traced as a span (a child of the current activity) once the race is over.
    /// </summary>
    internal static async Task<RaceResult<T>> RunAsync<T>(
        IAsyncEnumerable<IPEndPoint> candidates,
        TimeSpan attemptDelay,
        int maxConcurrentAttempts,
        AddressFamily? onlyFamily,
        Func<IPEndPoint, CancellationToken, ValueTask<T>> connect,
        Func<T, ValueTask> release,
        TimeProvider timeProvider,
        long startTimestamp,
        ILogger logger,
        DualStackMetrics metrics,
        string? serverAddress,
        CancellationToken cancellationToken)
        where T : class
    {
        // One span per attempt, by attempt index; null (nothing allocated) when nobody listens to the source.
        List<AttemptSpan?>? spans = DualStackActivities.HasListeners ? [] : null;
        using var raceSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var raceToken = raceSource.Token;
        // The attempts in flight and, at the same position, each one's index in attempts. Two lists of reference types
        // and ints rather than one of tuples: their code comes precompiled with the framework, where a list of a tuple
        // would be compiled on first use by every fresh process.
        var running = new List<Task<T>>();
        var runningIndex = new List<int>();
        var attempts = new List<ConnectionAttempt>();
        var enumerator = candidates.GetAsyncEnumerator(raceToken);
        Task<bool>? pendingNext = null;
        Exception? candidateError = null;
        T? winner = null;
        bool exhausted = false;
        bool wantNext = true;
        Task? delay = null;
        CancellationTokenSource? delaySource = null;

        // The winner stays in the engine's hands until everything that can throw has run (cleanup, logs, metrics, spans,
        // the candidates' disposal); if any of it throws, the winner is released like a loser and nothing is left open.
        try
        {
            try
            {
                while (true)
                {
                    if (wantNext && !exhausted && pendingNext is null && running.Count < maxConcurrentAttempts && attempts.Count < MaxAttempts
                        && !raceToken.IsCancellationRequested)
                    {
                        pendingNext = MoveNext(enumerator);
                    }

                    if (pendingNext is { IsCompleted: true } ready)
                    {
                        pendingNext = null;
                        TakeCandidate(ready);
                        continue;
                    }

                    if (running.Count == 0 && pendingNext is null)
                    {
                        break;
                    }

                    var waitFor = new List<Task>(running.Count + 2);
                    foreach (var attempt in running)
                    {
                        waitFor.Add(attempt);
                    }

                    if (delay is not null)
                    {
                        waitFor.Add(delay);
                    }

                    if (pendingNext is not null)
                    {
                        waitFor.Add(pendingNext);
                    }

                    var completed = await Task.WhenAny(waitFor).ConfigureAwait(false);
                    if (completed == pendingNext)
                    {
                        continue;
                    }

                    if (completed == delay)
                    {
                        delay = null;
                        wantNext = true;
                        continue;
                    }

                    int position = running.IndexOf((Task<T>)completed);
                    var (task, index) = (running[position], runningIndex[position]);
                    running.RemoveAt(position);
                    runningIndex.RemoveAt(position);
                    if (task.IsCompletedSuccessfully)
                    {
                        winner = task.Result;
                        attempts[index] = attempts[index] with { Ended = Elapsed(), Outcome = AttemptOutcome.Connected };
                        ConnectLog.AttemptConnected(logger, attempts[index].RemoteEndPoint, attempts[index].Ended.TotalMilliseconds);
                        break;
                    }

                    attempts[index] = Ended(attempts[index], task);
                    if (attempts[index].Outcome == AttemptOutcome.Failed)
                    {
                        ConnectLog.AttemptFailed(logger, attempts[index].RemoteEndPoint, attempts[index].Ended.TotalMilliseconds, attempts[index].Error!);
                    }

                    wantNext = true;
                }
            }
            finally
            {
                // Attempts that had already failed when the race ended failed on their own; the rest are cancelled.
                for (int i = 0; i < running.Count; i++)
                {
                    if (running[i].IsFaulted)
                    {
                        attempts[runningIndex[i]] = Ended(attempts[runningIndex[i]], running[i]);
                    }
                }

                await raceSource.CancelAsync().ConfigureAwait(false);
                for (int i = 0; i < running.Count; i++)
                {
                    int index = runningIndex[i];
                    try
                    {
                        var late = await running[i].ConfigureAwait(false);
                        await release(late).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Already recorded, or cancelled just now: either way this attempt lost.
                    }

                    if (attempts[index].Outcome != AttemptOutcome.Failed)
                    {
                        attempts[index] = attempts[index] with { Ended = Elapsed(), Outcome = AttemptOutcome.Cancelled };
                    }
                }

                if (pendingNext is not null)
                {
                    await ((Task)pendingNext).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                if (delay is not null)
                {
                    await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                delaySource?.Dispose();
                await enumerator.DisposeAsync().ConfigureAwait(false);

                // Every attempt has its final outcome now; counted and traced once each, here.
                for (int i = 0; i < attempts.Count; i++)
                {
                    metrics.RecordAttempt(attempts[i]);
                    spans?[i]?.Stop(attempts[i]);
                }
            }

            var result = new RaceResult<T>(winner, attempts, candidateError);
            winner = null;
            return result;
        }
        finally
        {
            if (winner is not null)
            {
                await release(winner).ConfigureAwait(false);
            }
        }

        TimeSpan Elapsed() => timeProvider.GetElapsedTime(startTimestamp);

        void TakeCandidate(Task<bool> moved)
        {
            if (!moved.IsCompletedSuccessfully)
            {
                // The candidates ended with an error (a resolution failure) or were cancelled with the race.
                var error = moved.Exception?.InnerException;
                if (error is not null and not OperationCanceledException)
                {
                    candidateError = error;
                }

                exhausted = true;
                return;
            }

            if (!moved.Result)
            {
                exhausted = true;
                return;
            }

            var endPoint = enumerator.Current;
            if (onlyFamily is { } family && endPoint.AddressFamily != family)
            {
                return;
            }

            wantNext = false;

            // The next attempt's timer is set before this attempt starts, synchronously, so that whoever watches
            // attempts start (a fake clock's test) sees the timer already running.
            delaySource?.Cancel();
            delaySource?.Dispose();
            delaySource = null;
            delay = null;
            if (attemptDelay != Timeout.InfiniteTimeSpan)
            {
                delaySource = CancellationTokenSource.CreateLinkedTokenSource(raceToken);
                delay = Task.Delay(attemptDelay, timeProvider, delaySource.Token);
            }

            attempts.Add(new ConnectionAttempt(endPoint, Elapsed(), TimeSpan.Zero, AttemptOutcome.Cancelled, null));
            ConnectLog.AttemptStarted(logger, endPoint, attempts[^1].Started.TotalMilliseconds);
            if (spans is null)
            {
                running.Add(StartAttempt(connect, endPoint, raceToken));
                runningIndex.Add(attempts.Count - 1);
                return;
            }

            // The attempt runs under its span (what it does is the span's child); the race's own flow goes back to
            // the parent, so that the next attempt's span is a sibling, not a child, of this one.
            var span = AttemptSpan.Start(serverAddress, endPoint);
            spans.Add(span);
            try
            {
                running.Add(StartAttempt(connect, endPoint, raceToken));
                runningIndex.Add(attempts.Count - 1);
            }
            finally
            {
                span?.RestoreParent();
            }
        }

        ConnectionAttempt Ended(ConnectionAttempt attempt, Task<T> task) => NotConnected(attempt, Elapsed(), task.Exception?.InnerException, raceToken);
    }

    // How an attempt that did not connect ended, for both engines: cancelled (no error, an OperationCanceledException,
    // or the race's token fired: the caller, the timeout or a winner), else failed with its error.
    private static ConnectionAttempt NotConnected(ConnectionAttempt attempt, TimeSpan ended, Exception? error, CancellationToken raceToken)
    {
        bool cancelled = error is null or OperationCanceledException || raceToken.IsCancellationRequested;
        return attempt with
        {
            Ended = ended,
            Outcome = cancelled ? AttemptOutcome.Cancelled : AttemptOutcome.Failed,
            Error = cancelled ? null : error,
        };
    }

    /// <summary>
    /// The engine for exactly one candidate: one attempt, awaited directly. Its outcomes are the engine's for a race of
    /// one (connected, failed, or cancelled by the caller or the timeout), so callers cannot tell the two apart, but a
    /// connect to a literal starts no timer, enumerator or extra task.
    /// </summary>
    internal static async Task<RaceResult<T>> RunOneAsync<T>(
        IPEndPoint endPoint,
        AddressFamily? onlyFamily,
        Func<IPEndPoint, CancellationToken, ValueTask<T>> connect,
        Func<T, ValueTask> release,
        TimeProvider timeProvider,
        long startTimestamp,
        ILogger logger,
        DualStackMetrics metrics,
        string? serverAddress,
        CancellationToken cancellationToken)
        where T : class
    {
        if (onlyFamily is { } family && endPoint.AddressFamily != family)
        {
            return new RaceResult<T>(null, [], null);
        }

        var attempt = new ConnectionAttempt(endPoint, timeProvider.GetElapsedTime(startTimestamp), TimeSpan.Zero, AttemptOutcome.Cancelled, null);
        ConnectLog.AttemptStarted(logger, endPoint, attempt.Started.TotalMilliseconds);

        // The attempt runs under its span; this method's own return takes Activity.Current back to the caller's.
        var span = DualStackActivities.HasListeners ? AttemptSpan.Start(serverAddress, endPoint) : null;
        T? winner = null;
        try
        {
            winner = await connect(endPoint, cancellationToken).ConfigureAwait(false);
            attempt = attempt with { Ended = timeProvider.GetElapsedTime(startTimestamp), Outcome = AttemptOutcome.Connected };
            ConnectLog.AttemptConnected(logger, endPoint, attempt.Ended.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            attempt = NotConnected(attempt, timeProvider.GetElapsedTime(startTimestamp), e, cancellationToken);
            if (attempt.Outcome == AttemptOutcome.Failed)
            {
                ConnectLog.AttemptFailed(logger, endPoint, attempt.Ended.TotalMilliseconds, e);
            }
        }

        try
        {
            metrics.RecordAttempt(attempt);
            span?.Stop(attempt);
        }
        catch when (winner is not null)
        {
            // An observer that throws must not strand the connection it was told about.
            await release(winner).ConfigureAwait(false);
            throw;
        }

        return new RaceResult<T>(winner, [attempt], null);
    }

    private static RaceSettings Settings(ConnectionRaceOptions options) => new(
        options.AttemptDelay,
        options.MaxConcurrentAttempts,
        options.ConnectTimeout,
        options.BindEndPoint,
        options.TimeProvider,
        options.LoggerFactory,
        options.Connector,
        options.MeterFactory is null ? DualStackMetrics.ForConnect : DualStackMetrics.For(options.MeterFactory),
        serverAddress: null);

    private static Task<bool> MoveNext(IAsyncEnumerator<IPEndPoint> enumerator)
    {
        try
        {
            return enumerator.MoveNextAsync().AsTask();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<bool>(e);
        }
    }

    // Runs the connector off the loop's stack: a connector that throws synchronously becomes a failed attempt.
    private static Task<T> StartAttempt<T>(Func<IPEndPoint, CancellationToken, ValueTask<T>> connect, IPEndPoint endPoint, CancellationToken token)
    {
        try
        {
            return connect(endPoint, token).AsTask();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<T>(e);
        }
    }

    // One attempt of a race with a step: connect, then run the step on the socket; the socket is closed if the step fails.
    private static async ValueTask<RaceWinner<T>> ConnectThenStepAsync<T>(
        Func<IPEndPoint, CancellationToken, ValueTask<Socket>> connector,
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect,
        IPEndPoint remote,
        CancellationToken cancellationToken)
    {
        var socket = await connector(remote, cancellationToken).ConfigureAwait(false);
        try
        {
            var value = await afterConnect(socket, remote, cancellationToken).ConfigureAwait(false);
            return new RaceWinner<T>(socket, value, []);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes what an attempt made: the step's result, then the socket.</summary>
    internal static async ValueTask ReleaseAsync<T>(RaceWinner<T> loser, Func<T, ValueTask> release)
    {
        try
        {
            await release(loser.Value).ConfigureAwait(false);
        }
        finally
        {
            loser.Socket.Dispose();
        }
    }

    internal sealed record RaceResult<T>(T? Winner, IReadOnlyList<ConnectionAttempt> Attempts, Exception? CandidateError)
        where T : class;
}
