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
}
