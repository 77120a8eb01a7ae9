using DualStack.Tests.Shared;

namespace DualStack.Tests.Fakes;

/// <summary>Runs a connect on a fake clock: the clock moves 1 ms at a time until the connect ends.</summary>
public static class FakeClockConnect
{
    /// <summary>Connects, advancing <paramref name="time"/> by 1 ms steps for at most <paramref name="maxMs"/> ms.</summary>
    /// <returns>The connection, or the connect's error (an <see cref="IOException"/> or <see cref="InvalidOperationException"/>).</returns>
    public static async Task<(StreamConnection? Connection, Exception? Error)> RunAsync(HostnameEndpoint endpoint, CountingTimeProvider time, int maxMs = 5000)
    {
        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        for (int ms = 0; ms < maxMs && !connect.IsCompleted; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        try
        {
            return (await connect.Bounded(), null);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return (null, e);
        }
    }

    /// <summary>
    /// Connects while advancing <paramref name="time"/> by exactly <paramref name="ms"/> 1 ms steps, then waits for the
    /// connect, which must succeed: for tests that need the clock to stop short of something due later (the loop of
    /// <see cref="RunAsync"/> goes on while the connect's continuations wait for the test's thread).
    /// </summary>
    public static async Task<StreamConnection> RunForAsync(HostnameEndpoint endpoint, CountingTimeProvider time, int ms)
    {
        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        for (int i = 0; i < ms; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        return await connect.Bounded();
    }
}
