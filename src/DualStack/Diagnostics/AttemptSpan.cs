using System.Diagnostics;
using System.Net;

namespace DualStack.Diagnostics;

/// <summary>
/// One attempt's span, for code that must not name <see cref="Activity"/> itself (the one-attempt connect: compiling it
/// would load System.Diagnostics.DiagnosticSource when nobody listens).
/// </summary>
internal sealed class AttemptSpan
{
    private readonly Activity _activity;

    private AttemptSpan(Activity activity) => _activity = activity;

    /// <summary>Starts the span as the current activity; <see langword="null"/> when the source's listeners want none.</summary>
    public static AttemptSpan? Start(string? host, IPEndPoint remote) =>
        DualStackActivities.StartAttempt(host, remote) is { } activity ? new AttemptSpan(activity) : null;

    /// <summary>Ends the span at the attempt's own end time.</summary>
    public void Stop(ConnectionAttempt attempt) => DualStackActivities.StopAttempt(_activity, attempt);
}
