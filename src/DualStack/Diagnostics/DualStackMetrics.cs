using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace DualStack.Diagnostics;

// One Meter named "DualStack", made by the IMeterFactory the caller gives (DI), else one shared static
// Meter, as Kestrel's KestrelMetrics and the runtime's NameResolutionMetrics do. One DualStackMetrics per factory,
// so that endpoints made often (one per HTTP connection) do not create instruments each time.
//
// Every Record/Add is guarded by the instrument's Enabled flag: with nobody listening, a connect pays a field read
// per instrument and nothing else. TagList is a struct holding up to eight tags inline, so recording allocates nothing.
//
// The shared meter is created at its first use once anyone can listen (DiagnosticsGate); until then every method here
// returns at once. The instruments and everything that touches a System.Diagnostics.Metrics type live in the nested
// Instruments class: the JIT loads an assembly when it compiles a method that names one of its types, and compiling
// this facade must not load System.Diagnostics.DiagnosticSource by itself.
internal sealed class DualStackMetrics
{
    public const string ConnectDurationName = "dualstack.connect.duration";
    public const string ConnectAttemptsName = "dualstack.connect.attempts";
    public const string ResolveDurationName = "dualstack.resolve.duration";
    public const string ListenerAcceptsName = "dualstack.listener.accepts";
    public const string ListenerAcceptErrorsName = "dualstack.listener.accept_errors";

    private readonly bool _shared;
    private Instruments? _instruments;

    private DualStackMetrics(bool shared) => _shared = shared;

    // <summary>The metrics on the shared static meter, for code not given an <see cref="IMeterFactory"/>.</summary>
    public static DualStackMetrics Shared { get; } = new(shared: true);

    // <summary>Metrics that record nothing: what a connect started while nobody could listen records to, to its end.</summary>
    public static DualStackMetrics None { get; } = new(shared: false);

    // <summary>
    // The metrics for one connect: <see cref="Shared"/> once anyone can listen, else <see cref="None"/>, decided once
    // at the start. Deciding again later would create the meter halfway through the connect, when the runtime's own
    // socket or DNS code has just loaded System.Diagnostics.DiagnosticSource for itself.
    // </summary>
    public static DualStackMetrics ForConnect => DiagnosticsGate.IsOpen ? Shared : None;

    public bool ConnectDurationEnabled => Current is { } instruments && instruments.ConnectDurationEnabled;

    public bool ResolveDurationEnabled => Current is { } instruments && instruments.ResolveDurationEnabled;

    // The instruments, or null while nobody can listen to the shared meter.
    private Instruments? Current => _instruments is not null || !_shared || !DiagnosticsGate.IsOpen ? _instruments : CreateShared();

    public static DualStackMetrics For(IMeterFactory? meterFactory) => meterFactory is null ? Shared : ByFactory.For(meterFactory);

    public void RecordConnect(TimeSpan duration, AddressFamily? family, string? errorType) =>
        Current?.RecordConnect(duration, family, errorType);

    public void RecordAttempt(ConnectionAttempt attempt) => Current?.RecordAttempt(attempt);

    public void RecordResolve(TimeSpan duration, AddressFamily family, string? errorType) =>
        Current?.RecordResolve(duration, family, errorType);

    public void RecordAccept(Socket accepted) => Current?.RecordAccept(accepted);

    public void RecordAcceptError(SocketException error) => Current?.RecordAcceptError(error);

    // Two threads may race to create the shared meter; one wins and the other's meter is disposed, so that listeners
    // see exactly one.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Instruments CreateShared()
    {
        var created = new Instruments(new Meter(DualStackDiagnostics.MeterName));
        var existing = Interlocked.CompareExchange(ref _instruments, created, null);
        if (existing is null)
        {
            return created;
        }

        created.Meter.Dispose();
        return existing;
    }

    // One DualStackMetrics per IMeterFactory; apart, so that the shared metrics' type names no metrics type.
    private static class ByFactory
    {
        private static readonly ConditionalWeakTable<IMeterFactory, DualStackMetrics> s_byFactory = [];

        public static DualStackMetrics For(IMeterFactory meterFactory) =>
            s_byFactory.GetValue(
                meterFactory,
                static f => new DualStackMetrics(shared: false) { _instruments = new Instruments(f.Create(new MeterOptions(DualStackDiagnostics.MeterName))) });
    }

    private sealed class Instruments
    {
        // OpenTelemetry's recommended boundaries for durations in seconds (as the runtime's http/dns histograms use).
        private static readonly IReadOnlyList<double> s_secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

        private readonly Histogram<double> _connectDuration;
        private readonly Counter<long> _connectAttempts;
        private readonly Histogram<double> _resolveDuration;
        private readonly Counter<long> _listenerAccepts;
        private readonly Counter<long> _listenerAcceptErrors;

        public Instruments(Meter meter)
        {
            Meter = meter;
            var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = s_secondsBuckets };
            _connectDuration = meter.CreateHistogram(
                ConnectDurationName, "s", "Duration of connects by name: resolution and the whole race, until a connection won or the connect failed.", tags: null, advice);
            _connectAttempts = meter.CreateCounter<long>(
                ConnectAttemptsName, "{attempt}", "Connection attempts made by races, by address family and outcome.");
            _resolveDuration = meter.CreateHistogram(
                ResolveDurationName, "s", "Duration of one name resolution query (one address family) made for a connect.", tags: null, advice);
            _listenerAccepts = meter.CreateCounter<long>(
                ListenerAcceptsName, "{connection}", "Connections accepted by listeners, by the peer's address family.");
            _listenerAcceptErrors = meter.CreateCounter<long>(
                ListenerAcceptErrorsName, "{error}", "Accept calls of listeners that failed, by error.");
        }

        public Meter Meter { get; }

        public bool ConnectDurationEnabled => _connectDuration.Enabled;

        public bool ResolveDurationEnabled => _resolveDuration.Enabled;

        public void RecordConnect(TimeSpan duration, AddressFamily? family, string? errorType) =>
            RecordDuration(_connectDuration, duration, family, errorType);

        public void RecordResolve(TimeSpan duration, AddressFamily family, string? errorType) =>
            RecordDuration(_resolveDuration, duration, family, errorType);

        public void RecordAttempt(ConnectionAttempt attempt)
        {
            if (!_connectAttempts.Enabled)
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

            _connectAttempts.Add(1, tags);
        }

        public void RecordAccept(Socket accepted)
        {
            if (!_listenerAccepts.Enabled)
            {
                return;
            }

            var tags = default(TagList);
            AddFamily(ref tags, accepted.RemoteEndPoint is IPEndPoint remote ? IPLiteral.Unmap(remote).AddressFamily : null);
            _listenerAccepts.Add(1, tags);
        }

        public void RecordAcceptError(SocketException error)
        {
            if (_listenerAcceptErrors.Enabled)
            {
                var tags = default(TagList);
                AddError(ref tags, ErrorTypes.Of(error));
                _listenerAcceptErrors.Add(1, tags);
            }
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
}
