using DualStack.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack;

// <summary>
// Everything a race reports, in one place, so that the race itself reads as the algorithm: a log line as each attempt
// starts and ends, a span around each attempt, and, once the race is over, each attempt counted and its span ended at
// the attempt's own end time.
// </summary>
// <remarks>
// Any of these may throw (a logger, a meter or activity listener is user code). The race calls them only where a
// throw cannot strand a socket: the attempts it reports on stay owned by the race's <see cref="AttemptSet{T}"/>.
// </remarks>
internal sealed class RaceObserver
{
    // The category CreateLogger(typeof(ConnectionRace)) would give, without formatting a type name on every connect.
    private const string LoggerCategory = "DualStack.ConnectionRace";

    private readonly ILogger _logger;
    private readonly DualStackMetrics _metrics;
    private readonly string? _serverAddress;

    // One span per attempt, by attempt index; null (nothing allocated) when nobody listens to the source.
    private readonly List<AttemptSpan?>? _spans;

    public RaceObserver(ILoggerFactory loggerFactory, DualStackMetrics metrics, string? serverAddress)
        : this(loggerFactory.CreateLogger(LoggerCategory), metrics, serverAddress)
    {
    }

    public RaceObserver(ILogger logger, DualStackMetrics metrics, string? serverAddress)
    {
        _logger = logger;
        _metrics = metrics;
        _serverAddress = serverAddress;
        _spans = DualStackActivities.HasListeners ? [] : null;
    }

    // <summary>
    // An attempt is about to start: logged, and its span started as the current activity, so that what the attempt does
    // is the span's child. Call <see cref="Started"/> once the attempt is under way.
    // </summary>
    public void Starting(ConnectionAttempt attempt)
    {
        ConnectLog.AttemptStarted(_logger, attempt.RemoteEndPoint, attempt.Started.TotalMilliseconds);
        _spans?.Add(AttemptSpan.Start(_serverAddress, attempt.RemoteEndPoint));
    }

    // <summary>
    // The attempt is under way: the race's own flow goes back to the parent activity, so that the next attempt's span is
    // a sibling, not a child, of this one.
    // </summary>
    public void Started()
    {
        if (_spans is [.., { } span])
        {
            span.RestoreParent();
        }
    }

    // <summary>An attempt connected or failed (cancelled attempts are not logged one by one).</summary>
    public void Ended(ConnectionAttempt attempt)
    {
        if (attempt.Outcome == AttemptOutcome.Connected)
        {
            ConnectLog.AttemptConnected(_logger, attempt.RemoteEndPoint, attempt.Ended.TotalMilliseconds);
        }
        else if (attempt.Outcome == AttemptOutcome.Failed)
        {
            ConnectLog.AttemptFailed(_logger, attempt.RemoteEndPoint, attempt.Ended.TotalMilliseconds, attempt.Error!);
        }
    }

    // <summary>The race is over and every attempt has its final outcome: each is counted and traced once, here.</summary>
    public void Finished(IReadOnlyList<ConnectionAttempt> attempts)
    {
        for (int i = 0; i < attempts.Count; i++)
        {
            _metrics.RecordAttempt(attempts[i]);
            _spans?[i]?.Stop(attempts[i]);
        }
    }

    // <summary>No attempt connected.</summary>
    public void Failed(string target, ConnectionRaceException failure) => ConnectLog.RaceFailed(_logger, target, failure.Attempts.Count, failure);
}
