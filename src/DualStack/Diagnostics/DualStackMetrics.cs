using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DualStack.Diagnostics;

// One Meter named "DualStack" (STYLE 7), made by the IMeterFactory the caller gives (DI), else one shared static
// Meter, as Kestrel's KestrelMetrics and the runtime's NameResolutionMetrics do. One DualStackMetrics per factory,
// so that endpoints made often (one per HTTP connection) do not create instruments each time.
//
// Every Record/Add is guarded by the instrument's Enabled flag: with nobody listening, a connect pays a field read
// per instrument and nothing else. TagList is a struct holding up to eight tags inline, so recording allocates nothing.
internal sealed class DualStackMetrics
{
    public const string ConnectDurationName = "dualstack.connect.duration";
    public const string ConnectAttemptsName = "dualstack.connect.attempts";
    public const string ResolveDurationName = "dualstack.resolve.duration";
    public const string ListenerAcceptsName = "dualstack.listener.accepts";

    // OpenTelemetry's recommended boundaries for durations in seconds (as the runtime's http/dns histograms use).
    private static readonly IReadOnlyList<double> s_secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly ConditionalWeakTable<IMeterFactory, DualStackMetrics> s_byFactory = [];
    private static readonly Lazy<DualStackMetrics> s_shared = new(() => new DualStackMetrics(new Meter(DualStackDiagnostics.MeterName)));

    private DualStackMetrics(Meter meter)
    {
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets };
        ConnectDuration = meter.CreateHistogram(
            ConnectDurationName, "s", "Duration of connects by name: resolution and the whole race, until a connection won or the connect failed.", tags: null, advice);
        ConnectAttempts = meter.CreateCounter<long>(
            ConnectAttemptsName, "{attempt}", "Connection attempts made by races, by address family and outcome.");
        ResolveDuration = meter.CreateHistogram(
            ResolveDurationName, "s", "Duration of one name resolution query (one address family) made for a connect.", tags: null, advice);
        ListenerAccepts = meter.CreateCounter<long>(
            ListenerAcceptsName, "{connection}", "Connections accepted by listeners, by the peer's address family.");
    }

    /// <summary>The metrics on the shared static meter, for code not given an <see cref="IMeterFactory"/>.</summary>
    public static DualStackMetrics Shared => s_shared.Value;

    public Histogram<double> ConnectDuration { get; }

    public Counter<long> ConnectAttempts { get; }

    public Histogram<double> ResolveDuration { get; }

    public Counter<long> ListenerAccepts { get; }

    public static DualStackMetrics For(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : s_byFactory.GetValue(meterFactory, static f => new DualStackMetrics(f.Create(new MeterOptions(DualStackDiagnostics.MeterName))));

    public void RecordConnect(TimeSpan duration, AddressFamily? family, string? errorType) =>
        RecordDuration(ConnectDuration, duration, family, errorType);

    public void RecordAttempt(ConnectionAttempt attempt)
    {
        if (!ConnectAttempts.Enabled)
        {
            return;
        }

        var tags = default(TagList);
        AddFamily(ref tags, IPLiteral.Unmap(attempt.RemoteEndPoint).AddressFamily);
        tags.Add(DualStackActivities.AttemptOutcomeTag, DualStackActivities.OutcomeName(attempt.Outcome));
        if (attempt.Outcome == AttemptOutcome.Failed)
        {
            AddError(ref tags, ErrorTypes.Of(attempt.Error));
        }

        ConnectAttempts.Add(1, tags);
    }

    public void RecordResolve(TimeSpan duration, AddressFamily family, string? errorType) =>
        RecordDuration(ResolveDuration, duration, family, errorType);

    public void RecordAccept(Socket accepted)
    {
        if (!ListenerAccepts.Enabled)
        {
            return;
        }

        var tags = default(TagList);
        AddFamily(ref tags, accepted.RemoteEndPoint is IPEndPoint remote ? IPLiteral.Unmap(remote).AddressFamily : null);
        ListenerAccepts.Add(1, tags);
    }

    // A duration in seconds, tagged with the family (network.type) and, for a failure, error.type.
    private static void RecordDuration(Histogram<double> histogram, TimeSpan duration, AddressFamily? family, string? errorType)
    {
        if (!histogram.Enabled)
        {
            return;
        }

        var tags = default(TagList);
        AddFamily(ref tags, family);
        AddError(ref tags, errorType);
        histogram.Record(duration.TotalSeconds, tags);
    }

    private static void AddFamily(ref TagList tags, AddressFamily? family)
    {
        if (DualStackActivities.NetworkType(family) is { } type)
        {
            tags.Add(DualStackActivities.NetworkTypeTag, type);
        }
    }

    private static void AddError(ref TagList tags, string? errorType)
    {
        if (errorType is not null)
        {
            tags.Add(DualStackActivities.ErrorTypeTag, errorType);
        }
    }
}
