namespace DualStack.Tests.Shared.Fakes;

/// <summary>
/// Callers' synchronization contexts (as UI threads have): each step runs under a context of its own, as if a different
/// caller's thread had made it, and every continuation any of them is handed to run later is counted. What is posted
/// runs on the thread pool, under the context it was posted to, so nothing waits for a thread that is not there.
/// </summary>
public sealed class CallerContexts
{
    private int _posted;

    /// <summary>How many continuations were posted (or sent) to any of the contexts.</summary>
    public int Posted => Volatile.Read(ref _posted);

    /// <summary>Runs <paramref name="step"/> under a new context, then puts the caller's back.</summary>
    public void Step(Action step) => Step<object?>(() =>
    {
        step();
        return null;
    });

    /// <inheritdoc cref="Step(Action)"/>
    public T Step<T>(Func<T> step) => RunUnder(new Context(this), step);

    /// <summary>Runs <paramref name="call"/> with <paramref name="context"/> current (none if null), then puts the caller's back.</summary>
    public static T RunUnder<T>(SynchronizationContext? context, Func<T> call)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return call();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private sealed class Context(CallerContexts owner) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref owner._posted);
            ThreadPool.QueueUserWorkItem(_ =>
            {
                SetSynchronizationContext(this);
                d(state);
            });
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref owner._posted);
            d(state);
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}
