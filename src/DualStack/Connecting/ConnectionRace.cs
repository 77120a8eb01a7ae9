using System.Net;
using System.Net.Sockets;

namespace DualStack;

// The race (RFC 8305 section 5; SPEC R8): start the first attempt, then one more each time the
// attempt delay passes or the latest attempt fails, whichever comes first; the first attempt to
// connect wins, every other one is cancelled and its socket closed.
//
// Why this shape:
// - One loop owns every attempt task and awaits Task.WhenAny over them plus one delay timer, so
//   there is exactly one place that picks the winner: a success and a failure landing at the same
//   instant are seen one after the other, and only the first success can become the result.
// - The loop never throws for network outcomes; it returns every attempt with its outcome and lets
//   the endpoint decide what the caller sees (a connection, a ConnectionRaceException, or the
//   caller's own OperationCanceledException). Twisted's and runtime's races keep one error only;
//   trio keeps them all, as we do.
// - The finally block cancels what is still running and awaits it, closing any socket that connected
//   after the winner (SPEC R15: nothing left behind, no task unobserved), and cancels the delay timer
//   so that no timer outlives the race.
internal static class ConnectionRace
{
    public static async Task<RaceResult> RunAsync(
        IReadOnlyList<IPEndPoint> candidates,
        TimeSpan attemptDelay,
        Func<IPEndPoint, CancellationToken, ValueTask<Socket>> connect,
        TimeProvider timeProvider,
        long startTimestamp,
        CancellationToken cancellationToken)
    {
        using var raceSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var raceToken = raceSource.Token;
        var running = new List<(Task<Socket> Task, int Index)>();
        var attempts = new List<ConnectionAttempt>();
        Socket? winner = null;
        int next = 0;
        bool startNow = true;
        Task? delay = null;
        CancellationTokenSource? delaySource = null;

        try
        {
            while (true)
            {
                if (startNow && next < candidates.Count && !raceToken.IsCancellationRequested)
                {
                    startNow = false;

                    // The next attempt's timer is set before this attempt starts, synchronously, so that
                    // whoever watches attempts start (a fake clock's test) sees the timer already running.
                    delaySource?.Cancel();
                    delaySource?.Dispose();
                    delaySource = null;
                    delay = null;
                    if (next + 1 < candidates.Count)
                    {
                        delaySource = CancellationTokenSource.CreateLinkedTokenSource(raceToken);
                        delay = Task.Delay(attemptDelay, timeProvider, delaySource.Token);
                    }

                    var endPoint = candidates[next];
                    attempts.Add(new ConnectionAttempt(endPoint, Elapsed(), TimeSpan.Zero, AttemptOutcome.Cancelled, null));
                    running.Add((StartAttempt(connect, endPoint, raceToken), next));
                    next++;
                }

                if (running.Count == 0)
                {
                    if (next < candidates.Count && !raceToken.IsCancellationRequested)
                    {
                        startNow = true;
                        continue;
                    }

                    break;
                }

                var waitFor = new List<Task>(running.Count + 1);
                waitFor.AddRange(running.Select(r => (Task)r.Task));
                if (delay is not null)
                {
                    waitFor.Add(delay);
                }

                var completed = await Task.WhenAny(waitFor).ConfigureAwait(false);
                if (completed == delay)
                {
                    delay = null;
                    startNow = true;
                    continue;
                }

                int position = running.FindIndex(r => r.Task == completed);
                var (task, index) = running[position];
                running.RemoveAt(position);
                if (task.IsCompletedSuccessfully)
                {
                    winner = task.Result;
                    attempts[index] = attempts[index] with { Ended = Elapsed(), Outcome = AttemptOutcome.Connected };
                    break;
                }

                attempts[index] = Ended(attempts[index], task);
                startNow = true;
            }
        }
        finally
        {
            // Attempts that had already failed when the race ended failed on their own; the rest are cancelled.
            foreach (var (task, index) in running)
            {
                if (task.IsFaulted)
                {
                    attempts[index] = Ended(attempts[index], task);
                }
            }

            await raceSource.CancelAsync().ConfigureAwait(false);
            foreach (var (task, index) in running)
            {
                try
                {
                    var late = await task.ConfigureAwait(false);
                    late.Dispose();
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

            if (delay is not null)
            {
                await delay.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }

            delaySource?.Dispose();
        }

        return new RaceResult(winner, attempts);

        TimeSpan Elapsed() => timeProvider.GetElapsedTime(startTimestamp);

        ConnectionAttempt Ended(ConnectionAttempt attempt, Task<Socket> task)
        {
            var error = task.Exception?.InnerException;
            bool cancelled = task.IsCanceled || error is OperationCanceledException || raceToken.IsCancellationRequested;
            return attempt with
            {
                Ended = Elapsed(),
                Outcome = cancelled ? AttemptOutcome.Cancelled : AttemptOutcome.Failed,
                Error = cancelled ? null : error,
            };
        }
    }

    // Runs the connector off the loop's stack: a connector that throws synchronously becomes a failed attempt.
    private static Task<Socket> StartAttempt(Func<IPEndPoint, CancellationToken, ValueTask<Socket>> connect, IPEndPoint endPoint, CancellationToken token)
    {
        try
        {
            return connect(endPoint, token).AsTask();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<Socket>(e);
        }
    }

    internal sealed record RaceResult(Socket? Winner, IReadOnlyList<ConnectionAttempt> Attempts);
}
