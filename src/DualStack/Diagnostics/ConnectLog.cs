using System.Net;
using Microsoft.Extensions.Logging;

namespace DualStack.Diagnostics;

// Event ids are public API: never reuse one (docs/diagnostics.md lists them).
internal static partial class ConnectLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Attempt to {RemoteEndPoint} started at {ElapsedMilliseconds} ms")]
    public static partial void AttemptStarted(ILogger logger, IPEndPoint remoteEndPoint, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Attempt to {RemoteEndPoint} failed at {ElapsedMilliseconds} ms")]
    public static partial void AttemptFailed(ILogger logger, IPEndPoint remoteEndPoint, double elapsedMilliseconds, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Attempt to {RemoteEndPoint} connected at {ElapsedMilliseconds} ms and won")]
    public static partial void AttemptConnected(ILogger logger, IPEndPoint remoteEndPoint, double elapsedMilliseconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Connecting to {Target} failed after {AttemptCount} attempts")]
    public static partial void RaceFailed(ILogger logger, string target, int attemptCount, Exception exception);
}
