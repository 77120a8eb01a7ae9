using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using DualStack.Diagnostics;

namespace DualStack;

// The race (RFC 8305 section 5), public on its own and inside HostnameEndpoint: start the first candidate, then
// one more each time the attempt delay passes or an attempt fails, whichever comes first; the first attempt to
// connect wins, every other one is cancelled and its socket closed.
//
// Why this shape:
// - Candidates are an IAsyncEnumerable that the race pulls from only when it is ready to start the next
//   attempt. A hostname endpoint's candidates are still arriving (AAAA and A answer separately); pulling
//   late means the next candidate is chosen with everything known by then, so a late IPv6 answer is
//   interleaved into what remains instead of being appended behind every IPv4 address.
// - One loop waits (Task.WhenAny) on the attempts in flight, the delay timer and the pending "next candidate"
//   request, so exactly one place picks the winner: a success and a failure landing at the same instant are seen one
//   after the other, and only the first success becomes the result.
// - Ownership is by construction: an AttemptSet owns every attempt, and whatever it still holds when the race ends,
//   by any path, is cancelled, awaited and released; the winner is taken out of it last, after the reporting (a
//   RaceObserver: logs, metrics, spans) and the candidates' disposal, so a throw from any of them strands nothing.
// - The engine never throws for network outcomes; it returns every attempt with its outcome and the caller
//   decides what the user sees (a connection, a ConnectionRaceException, a HostResolutionException, or the
//   caller's own OperationCanceledException). Twisted's and the runtime's races keep one error only; trio
//   keeps them all, as we do.
// - An attempt is whatever the connect function does, and the engine is generic over what it makes: a socket for a
//   TCP race, or a socket and a TLS stream when the TLS endpoint races through its handshake (an attempt then wins
//   only when its handshake completes, so a family where TCP connects but TLS stalls does not win). Making the
//   engine generic, rather than giving it a TLS flag, keeps TLS out of the race and the race's tests unchanged.

/// <summary>Races connection attempts to a sequence of candidate endpoints and keeps the first that connects.</summary>
/// <remarks>
/// This is the racing half of <see cref="HostnameEndpoint"/>, usable on its own with candidates from anywhere (a
/// service registry, SRV records): the first candidate is tried at once, the next when
/// <see cref="ConnectionRaceOptions.AttemptDelay"/> passes or as soon as an attempt fails. The candidates may still be
/// arriving; the race waits for them.
/// </remarks>
public static class ConnectionRace
{
    // <summary>
    // The most attempts one race starts; candidates after that are not pulled, and the race fails with the attempts made
    // (docs/reliability.md).
    // </summary>
    // <remarks>
    // Without it, candidates that never end and connects that fail at once (refused) would start attempts, and grow the
    // list of attempts, for the whole connect timeout. A hostname endpoint offers at most 128 (64 per family).
    // </remarks>
    internal const int MaxAttempts = 1000;

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
    public static async ValueTask<StreamConnection> ConnectAsync(
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
        var observer = new RaceObserver(settings.LoggerFactory, settings.Metrics, settings.ServerAddress);
        var connector = settings.Connector ?? ((remote, token) => SocketConnector.ConnectAsync(remote, bind, Timeout.InfiniteTimeSpan, time, token));
        Func<IPEndPoint, CancellationToken, ValueTask<RaceWinner<T>>> attempt = (remote, token) => ConnectThenStepAsync(connector, afterConnect, remote, token);
        var result = only is not null
            ? await RunOneAsync(only, attempt, winner => ReleaseAsync(winner, release), time, start, observer, linked.Token).ConfigureAwait(false)
            : await RunAsync<RaceWinner<T>>(
                candidates!,
                settings.AttemptDelay,
                settings.MaxConcurrentAttempts,
                bind?.AddressFamily,
                attempt,
                winner => ReleaseAsync(winner, release),
                time,
                start,
                observer,
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
        observer.Failed(target, failure);
        throw failure;
    }

    // <summary>
    // The engine: never throws for network outcomes, returns every attempt. An attempt is whatever
    // <paramref name="connect"/> does (a TCP connect, or a connect and a TLS handshake); <paramref name="release"/>
    // closes what an attempt made when it does not win. <paramref name="observer"/> logs, counts and traces.
    // </summary>
    internal static async Task<RaceResult<T>> RunAsync<T>(
        IAsyncEnumerable<IPEndPoint> candidates,
        TimeSpan attemptDelay,
        int maxConcurrentAttempts,
        AddressFamily? onlyFamily,
        Func<IPEndPoint, CancellationToken, ValueTask<T>> connect,
        Func<T, ValueTask> release,
        TimeProvider timeProvider,
        long startTimestamp,
        RaceObserver observer,
        CancellationToken cancellationToken)
        where T : class
    {
        var attempts = new AttemptSet<T>(connect, release, observer, timeProvider, startTimestamp, cancellationToken);
        await using var owner = attempts.ConfigureAwait(false);
        var feed = new CandidateFeed(candidates, onlyFamily, attempts.Token);
        var timer = new AttemptTimer(attemptDelay, timeProvider, attempts.Token);
        try
        {
            bool wantNext = true;
            while (true)
            {
                if (wantNext && attempts.Running < maxConcurrentAttempts && attempts.Attempts.Count < MaxAttempts && !attempts.Token.IsCancellationRequested)
                {
                    feed.RequestNext();
                }

                if (feed.TryTake(out var next))
                {
                    if (next is not null)
                    {
                        // The next attempt's timer is set before this attempt starts, so that whoever watches attempts
                        // start (a fake clock's test) sees the timer already running.
                        wantNext = false;
                        timer.Restart();
                        attempts.Start(next);
                    }

                    continue;
                }

                if (attempts.Running == 0 && feed.Pending is null)
                {
                    break;
                }

                var waitFor = new List<Task>(attempts.Running + 2);
                attempts.AddRunningTo(waitFor);
                timer.AddTo(waitFor);
                feed.AddTo(waitFor);
                var completed = await Task.WhenAny(waitFor).ConfigureAwait(false);
                if (timer.HasPassed(completed))
                {
                    wantNext = true;
                }
                else if (attempts.TryEnd(completed))
                {
                    if (attempts.HasWinner)
                    {
                        break;
                    }

                    wantNext = true;
                }

                // Otherwise the next candidate arrived; TryTake takes it.
            }
        }
        finally
        {
            await attempts.StopAsync().ConfigureAwait(false);
            await feed.DisposeAsync().ConfigureAwait(false);
            timer.Dispose();
        }

        observer.Finished(attempts.Attempts);
        return new RaceResult<T>(attempts.TakeWinner(), attempts.Attempts, feed.Error);
    }

    // <summary>
    // The engine for exactly one candidate: one attempt, awaited directly. Its outcomes are the engine's for a race of
    // one (connected, failed, or cancelled by the caller or the timeout), so callers cannot tell the two apart, but a
    // connect to a literal starts no timer, enumerator or extra task. Its caller has already refused a literal of a family
    // the connect excludes (a bind address of the other family, a family restriction), so there is no family to check.
    // </summary>
    internal static async Task<RaceResult<T>> RunOneAsync<T>(
        IPEndPoint endPoint,
        Func<IPEndPoint, CancellationToken, ValueTask<T>> connect,
        Func<T, ValueTask> release,
        TimeProvider timeProvider,
        long startTimestamp,
        RaceObserver observer,
        CancellationToken cancellationToken)
        where T : class
    {
        var attempt = ConnectionAttempt.Starting(endPoint, timeProvider.GetElapsedTime(startTimestamp));
        observer.Starting(attempt);
        T? winner = null;
        try
        {
            ValueTask<T> connecting;
            try
            {
                connecting = connect(endPoint, cancellationToken);
            }
            finally
            {
                observer.Started();
            }

            winner = await connecting.ConfigureAwait(false);
            attempt = attempt with { Ended = timeProvider.GetElapsedTime(startTimestamp), Outcome = AttemptOutcome.Connected };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            attempt = attempt.NotConnected(timeProvider.GetElapsedTime(startTimestamp), e, cancellationToken);
        }

        try
        {
            observer.Ended(attempt);
            observer.Finished([attempt]);
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

    // The candidates, pulled one at a time and only when the race is ready to start another attempt.
    private sealed class CandidateFeed(IAsyncEnumerable<IPEndPoint> candidates, AddressFamily? onlyFamily, CancellationToken cancellationToken)
        : IAsyncDisposable
    {
        private readonly IAsyncEnumerator<IPEndPoint> _enumerator = candidates.GetAsyncEnumerator(cancellationToken);
        private Task<bool>? _pending;
        private bool _exhausted;

        public Task<bool>? Pending => _pending;

        // <summary>Why the candidates ended early (a resolution error), if they did.</summary>
        public Exception? Error { get; private set; }

        public void RequestNext()
        {
            if (_pending is null && !_exhausted)
            {
                _pending = MoveNext();
            }
        }

        public void AddTo(List<Task> waitFor)
        {
            if (_pending is not null)
            {
                waitFor.Add(_pending);
            }
        }

        // True once the request has an answer: next is the candidate, or null when there is none to start (the
        // candidates ended, failed, or gave a family this race does not try).
        public bool TryTake(out IPEndPoint? next)
        {
            next = null;
            if (_pending is not { IsCompleted: true } moved)
            {
                return false;
            }

            _pending = null;
            if (!moved.IsCompletedSuccessfully)
            {
                // A resolution failure, or cancelled with the race.
                if (moved.Exception?.InnerException is { } error and not OperationCanceledException)
                {
                    Error = error;
                }

                _exhausted = true;
            }
            else if (!moved.Result)
            {
                _exhausted = true;
            }
            else if (onlyFamily is not { } family || _enumerator.Current.AddressFamily == family)
            {
                next = _enumerator.Current;
            }

            return true;
        }

        public async ValueTask DisposeAsync()
        {
            if (_pending is not null)
            {
                await ((Task)_pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await _enumerator.DisposeAsync().ConfigureAwait(false);
        }

        private Task<bool> MoveNext()
        {
            try
            {
                return _enumerator.MoveNextAsync().AsTask();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Task.FromException<bool>(e);
            }
        }
    }

    // The attempt delay: restarted as each attempt starts; when it passes, the race starts the next attempt.
    private sealed class AttemptTimer(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken) : IDisposable
    {
        private CancellationTokenSource? _source;
        private Task? _passes;

        public void Restart()
        {
            _source?.Cancel();
            _source?.Dispose();
            (_source, _passes) = (null, null);
            if (delay != Timeout.InfiniteTimeSpan)
            {
                _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                _passes = Task.Delay(delay, timeProvider, _source.Token);
            }
        }

        public void AddTo(List<Task> waitFor)
        {
            if (_passes is not null)
            {
                waitFor.Add(_passes);
            }
        }

        public bool HasPassed(Task completed)
        {
            if (completed != _passes)
            {
                return false;
            }

            _passes = null;
            return true;
        }

        // The race's token is cancelled before the timer is disposed, and with it the delay: only its token source is left.
        public void Dispose() => _source?.Dispose();
    }

    // One attempt of a race with a step: connect, then run the step on the socket; the socket is closed if the step fails.
    // A NAT64 candidate is connected to as a plain endpoint, and an IPv4 one this host has no route to fails at once.
    private static async ValueTask<RaceWinner<T>> ConnectThenStepAsync<T>(
        Func<IPEndPoint, CancellationToken, ValueTask<Socket>> connector,
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect,
        IPEndPoint remote,
        CancellationToken cancellationToken)
    {
        remote = remote switch
        {
            SynthesizedEndPoint => new IPEndPoint(remote.Address, remote.Port),
            UnroutableEndPoint unroutable => throw unroutable.CreateError(),
            _ => remote,
        };
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

    // <summary>Closes what an attempt made: the step's result, then the socket.</summary>
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
