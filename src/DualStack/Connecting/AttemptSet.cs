using System.Net;

namespace DualStack;

// <summary>
// Owns every attempt of one race, the way Trio's nursery owns its tasks: an attempt started here is cancelled, awaited
// and released here, unless it was taken out. The race takes out only its winner, and only after everything that can
// throw (the last outcomes, logs, metrics, spans, the candidates' disposal) has run, so that a throw anywhere, from the
// race or from a user's logger or listener, leaves no socket open.
// </summary>
// <typeparam name="T">What a successful attempt makes: a socket, or a socket and a TLS stream.</typeparam>
internal sealed class AttemptSet<T> : IAsyncDisposable
    where T : class
{
    private readonly Func<IPEndPoint, CancellationToken, ValueTask<T>> _connect;
    private readonly Func<T, ValueTask> _release;
    private readonly RaceObserver _observer;
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _cancel;
    private readonly List<ConnectionAttempt> _attempts = [];

    // The attempts in flight and, at the same position, each one's index in _attempts. Two lists of reference types and
    // ints rather than one of tuples: their code comes precompiled with the framework, where a list of a tuple would be
    // compiled on first use by every fresh process.
    private readonly List<Task<T>> _running = [];
    private readonly List<int> _runningIndex = [];
    private T? _winner;
    private bool _stopped;

    // <param name="connect">One attempt; it owns what it made only until it returns it.</param>
    // <param name="release">Closes what an attempt made, when it is not taken out.</param>
    // <param name="observer">Told of every start and end.</param>
    // <param name="timeProvider">The clock of the attempts' times.</param>
    // <param name="startTimestamp">Time zero of the attempts' times.</param>
    // <param name="cancellationToken">Cancels every attempt.</param>
    public AttemptSet(
        Func<IPEndPoint, CancellationToken, ValueTask<T>> connect,
        Func<T, ValueTask> release,
        RaceObserver observer,
        TimeProvider timeProvider,
        long startTimestamp,
        CancellationToken cancellationToken)
    {
        _connect = connect;
        _release = release;
        _observer = observer;
        _timeProvider = timeProvider;
        _startTimestamp = startTimestamp;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    // <summary>Cancelled when the set stops: by the caller's token, or once the race is decided.</summary>
    public CancellationToken Token => _cancel.Token;

    // <summary>Every attempt started so far, in order, with its outcome as far as known.</summary>
    public IReadOnlyList<ConnectionAttempt> Attempts => _attempts;

    // <summary>How many attempts are in flight.</summary>
    public int Running => _running.Count;

    // <summary>Whether an attempt has connected (the set still owns it until <see cref="TakeWinner"/>).</summary>
    public bool HasWinner => _winner is not null;

    // <summary>Starts an attempt to <paramref name="endPoint"/>, under its own span.</summary>
    public void Start(IPEndPoint endPoint)
    {
        var attempt = ConnectionAttempt.Starting(endPoint, Elapsed());
        _attempts.Add(attempt);
        _observer.Starting(attempt);
        try
        {
            _running.Add(StartAttempt(endPoint));
            _runningIndex.Add(_attempts.Count - 1);
        }
        finally
        {
            _observer.Started();
        }
    }

    // <summary>Adds the attempts in flight to what the race waits for.</summary>
    public void AddRunningTo(List<Task> waitFor)
    {
        foreach (var attempt in _running)
        {
            waitFor.Add(attempt);
        }
    }

    // <summary>
    // Takes the outcome of an attempt that has completed: it connected (and is now the winner, still owned here) or it
    // failed. Returns <see langword="false"/> when <paramref name="completed"/> is not one of this set's attempts.
    // </summary>
    public bool TryEnd(Task completed)
    {
        int position = completed is Task<T> task ? _running.IndexOf(task) : -1;
        if (position < 0)
        {
            return false;
        }

        int index = _runningIndex[position];
        _running.RemoveAt(position);
        _runningIndex.RemoveAt(position);
        var attempt = (Task<T>)completed;
        if (attempt.IsCompletedSuccessfully)
        {
            _winner = attempt.Result;
            _attempts[index] = _attempts[index] with { Ended = Elapsed(), Outcome = AttemptOutcome.Connected };
        }
        else
        {
            _attempts[index] = _attempts[index].NotConnected(Elapsed(), attempt.Exception?.InnerException, Token);
        }

        _observer.Ended(_attempts[index]);
        return true;
    }

    // <summary>
    // Ends every attempt still in flight: one that had already failed on its own is recorded as failed; the rest are
    // cancelled, awaited, and whatever they made is released. The winner, if any, stays owned here.
    // </summary>
    public async ValueTask StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        for (int i = 0; i < _running.Count; i++)
        {
            if (_running[i].IsFaulted)
            {
                _attempts[_runningIndex[i]] = _attempts[_runningIndex[i]].NotConnected(Elapsed(), _running[i].Exception?.InnerException, Token);
            }
        }

        await _cancel.CancelAsync().ConfigureAwait(false);
        for (int i = 0; i < _running.Count; i++)
        {
            int index = _runningIndex[i];
            try
            {
                var late = await _running[i].ConfigureAwait(false);
                await _release(late).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Already recorded, or cancelled just now: either way this attempt lost.
            }

            if (_attempts[index].Outcome != AttemptOutcome.Failed)
            {
                _attempts[index] = _attempts[index] with { Ended = Elapsed(), Outcome = AttemptOutcome.Cancelled };
            }
        }

        _running.Clear();
        _runningIndex.Clear();
    }

    // <summary>Takes the winner out of the set: from here the caller owns it.</summary>
    public T? TakeWinner()
    {
        var winner = _winner;
        _winner = null;
        return winner;
    }

    // <summary>Stops every attempt and releases the winner unless it was taken out.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            if (TakeWinner() is { } winner)
            {
                await _release(winner).ConfigureAwait(false);
            }

            _cancel.Dispose();
        }
    }

    private TimeSpan Elapsed() => _timeProvider.GetElapsedTime(_startTimestamp);

    // Runs the connect function under the attempt's span and off the race's stack: a connect function that throws
    // synchronously becomes a failed attempt.
    private Task<T> StartAttempt(IPEndPoint endPoint)
    {
        try
        {
            return _connect(endPoint, Token).AsTask();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<T>(e);
        }
    }
}
