using DualStack.Tests.Shared.Fakes;

namespace DualStack.Tests.Fakes;

/// <summary>Completions whose continuations run on the test's thread, at once, before the completing call returns.</summary>
public static class Inline
{
    /// <summary>
    /// Runs <paramref name="action"/> with no <see cref="SynchronizationContext"/>: a task completed where one is current
    /// (the test framework's) leaves the library's <c>ConfigureAwait(false)</c> continuations to the thread pool, to run
    /// whenever; completed here, they run inside the completing call.
    /// </summary>
    public static void Run(Action action) => CallerContexts.RunUnder<object?>(null, () =>
    {
        action();
        return null;
    });
}
