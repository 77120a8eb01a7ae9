using System.Net;
using Microsoft.Extensions.Logging;

namespace DualStack.Diagnostics;

// Event ids are public API: never reuse one (docs/diagnostics.md lists them).
internal static partial class ListenerLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Accepting on {LocalEndPoint} failed; the listener is faulted and accepts no more connections")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint localEndPoint, Exception exception);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Accepting on {LocalEndPoint} failed for lack of resources; retrying with pauses from 5 ms to 1 s until it succeeds")]
    public static partial void AcceptBackingOff(ILogger logger, IPEndPoint localEndPoint, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Accepting on {LocalEndPoint} works again after {FailureCount} failed attempts")]
    public static partial void AcceptResumed(ILogger logger, IPEndPoint localEndPoint, int failureCount);
}
