using System.Collections.Concurrent;
using System.Diagnostics;

namespace DualStack.Tests.Shared.Diagnostics;

/// <summary>
/// Listens to the <c>DualStack</c> activity source and keeps the stopped activities of one trace: the recorder starts a
/// root activity (made current for the test's flow), so spans of tests running in parallel are left out.
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly Activity _root;

    public ActivityRecorder()
    {
        _root = new Activity("test-root");
        _root.SetIdFormat(ActivityIdFormat.W3C);
        _root.Start();
        var traceId = _root.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DualStackDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public Activity Root => _root;

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public IReadOnlyList<Activity> Named(string name) => [.. _stopped.Where(a => a.OperationName == name)];

    public void Dispose()
    {
        _listener.Dispose();
        _root.Stop();
    }
}
