using System.Net;
using Microsoft.Extensions.Logging;

namespace DualStack.Diagnostics;

// Event ids are public API: never reuse one (docs/diagnostics.md lists them).
internal static partial class ListenerLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Accepting on {LocalEndPoint} failed; that socket accepts no more connections")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint localEndPoint, Exception exception);
}
