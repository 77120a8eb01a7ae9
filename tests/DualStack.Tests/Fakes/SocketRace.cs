using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack.Tests.Fakes;

/// <summary>
/// The race engine that production uses, driven over plain sockets as the scripted tests script them: a loser's socket
/// is closed, nothing is measured or traced.
/// </summary>
internal static class SocketRace
{
    private static readonly Func<Socket, ValueTask> s_dispose = static socket =>
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    };

    public static Task<ConnectionRace.RaceResult<Socket>> RunAsync(
        IAsyncEnumerable<IPEndPoint> candidates,
        TimeSpan attemptDelay,
        int maxConcurrentAttempts,
        AddressFamily? onlyFamily,
        Func<IPEndPoint, CancellationToken, ValueTask<Socket>> connect,
        TimeProvider timeProvider,
        long startTimestamp,
        ILogger logger,
        CancellationToken cancellationToken) =>
        ConnectionRace.RunAsync(
            candidates, attemptDelay, maxConcurrentAttempts, onlyFamily, connect, s_dispose, timeProvider, startTimestamp, new RaceObserver(logger, DualStackMetrics.None, serverAddress: null), cancellationToken);
}
