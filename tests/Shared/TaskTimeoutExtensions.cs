namespace DualStack.Tests.Shared;

/// <summary>Bounds every awaited task in a test, so a hang fails the test instead of the run.</summary>
public static class TaskTimeoutExtensions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task<T> Bounded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(DefaultTimeout, TestContext.Current.CancellationToken);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(DefaultTimeout, TestContext.Current.CancellationToken);

    public static Task Bounded(this Task task) => task.WaitAsync(DefaultTimeout, TestContext.Current.CancellationToken);

    public static Task Bounded(this ValueTask task) => task.AsTask().WaitAsync(DefaultTimeout, TestContext.Current.CancellationToken);
}
