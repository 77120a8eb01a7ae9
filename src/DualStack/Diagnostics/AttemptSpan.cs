using System.Diagnostics;
using System.Net;

namespace DualStack.Diagnostics;

// <summary>
// One attempt's span, for the race's code, which must not name <see cref="Activity"/> itself: compiling it would load
// System.Diagnostics.DiagnosticSource even when nobody listens.
// </summary>
internal sealed class AttemptSpan
{
    private readonly Activity _activity;
    private readonly Activity? _parent;

    private AttemptSpan(Activity activity, Activity? parent)
    {
        _activity = activity;
        _parent = parent;
    }

    // <summary>Starts the span as the current activity; <see langword="null"/> when the source's listeners want none.</summary>
    public static AttemptSpan? Start(string? host, IPEndPoint remote)
    {
        var parent = Activity.Current;
        return DualStackActivities.StartAttempt(host, remote) is { } activity ? new AttemptSpan(activity, parent) : null;
    }

    // <summary>
    // Makes the activity that was current before <see cref="Start"/> current again, once the attempt has started under
    // the span: the race's own flow goes back to the parent, so the next attempt's span is a sibling, not a child.
    // </summary>
    public void RestoreParent() => Activity.Current = _parent;

    // <summary>Ends the span at the attempt's own end time.</summary>
    public void Stop(ConnectionAttempt attempt) => DualStackActivities.StopAttempt(_activity, attempt);
}
