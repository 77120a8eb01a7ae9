namespace DualStack.FunctionalTests.Fakes;

/// <summary>
/// A caller's synchronization context (as a UI thread has) that counts the continuations posted to it, and runs them
/// on the thread pool so that nothing waits on it. <see cref="Run{T}"/> calls code with it current.
/// </summary>
public sealed class CountingSynchronizationContext : SynchronizationContext
{
    private int _posts;

    public int Posts => Volatile.Read(ref _posts);

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        base.Post(d, state);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posts);
        base.Send(d, state);
    }

    /// <summary>Calls <paramref name="call"/> with this context current, and puts the caller's back.</summary>
    public T Run<T>(Func<T> call)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return call();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
