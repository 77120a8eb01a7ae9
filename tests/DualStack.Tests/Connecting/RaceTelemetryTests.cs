using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using static DualStack.Tests.Fakes.ScriptedOutcome;

namespace DualStack.Tests.Connecting;

/// <summary>
/// What a whole race records, on a fake clock: one attempt silent (cancelled when another wins), one refused, one
/// connected; each counted once with its final outcome, each a span whose duration is the attempt's own.
/// </summary>
public class RaceTelemetryTests
{
    private const string V6a = "2001:db8::a";
    private const string V6b = "2001:db8::b";
    private const string V4a = "192.0.2.10";

    [Fact]
    public async Task Race_CountsAndTracesEveryAttemptOnceWithItsOutcomeAndTiming()
    {
        using var meters = new TestMeters();
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        var connects = meters.Collect<double>("dualstack.connect.duration");
        using var recorder = new ActivityRecorder();
        var time = new CountingTimeProvider();
        // V6a never answers; V4a starts one attempt delay later and is refused after 100 ms, which starts V6b at once.
        var connector = new TimedConnector(time).On(V4a, 100, Refuse).On(V6b, 10, Connect);
        var endpoint = new HostnameEndpoint("server.test", 443)
        {
            Resolver = new TimedResolver(time).Answer(AddressFamily.InterNetworkV6, 0, V6a, V6b).Answer(AddressFamily.InterNetwork, 0, V4a),
            TimeProvider = time,
            Connector = connector.ConnectAsync,
            MeterFactory = meters.Factory,
        };

        // The clock stops where V6b connects (360 ms), so the connect's duration is read on a clock that no longer moves
        // while the race closes its losers.
        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        for (int ms = 0; ms < 360; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await using var connection = await connect.Bounded();

        Assert.Equal(
            [("ipv4", "failed", "connection_refused"), ("ipv6", "cancelled", null), ("ipv6", "connected", null)],
            attempts.GetMeasurementSnapshot()
                .Select(m => ((string)m.Tags["network.type"]!, (string)m.Tags["dualstack.attempt.outcome"]!, (string?)m.Tags.GetValueOrDefault("error.type")))
                .OrderBy(t => t.Item1).ThenBy(t => t.Item2));
        Assert.All(attempts.GetMeasurementSnapshot(), m => Assert.Equal(1, m.Value));
        var duration = Assert.Single(connects.GetMeasurementSnapshot());
        Assert.Equal(0.36, duration.Value, precision: 6);
        Assert.Equal("ipv6", duration.Tags["network.type"]);

        var connectSpan = Assert.Single(recorder.Named("dualstack.connect"));
        var spans = recorder.Named("dualstack.connect.attempt").ToDictionary(a => (string)a.GetTagItem("network.peer.address")!);
        Assert.Equal(3, spans.Count);
        Assert.All(spans.Values, s => Assert.Equal(connectSpan.SpanId, s.ParentSpanId));
        Assert.Equal((TimeSpan.FromMilliseconds(360), "cancelled", ActivityStatusCode.Unset), Summary(spans[V6a]));
        Assert.Equal((TimeSpan.FromMilliseconds(100), "failed", ActivityStatusCode.Error), Summary(spans[V4a]));
        Assert.Equal((TimeSpan.FromMilliseconds(10), "connected", ActivityStatusCode.Unset), Summary(spans[V6b]));
        Assert.Equal(3, connectSpan.GetTagItem("dualstack.connect.attempt_count"));
        Assert.Equal(V6b, connectSpan.GetTagItem("network.peer.address"));
        Assert.Equal(0, time.ActiveTimers);
    }

    [Fact]
    public async Task RaceOnItsOwn_CountsAttemptsOnTheOptionsMeterFactory()
    {
        using var meters = new TestMeters();
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V4a, 5, Connect);
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync, MeterFactory = meters.Factory };

        var race = ConnectionRace.ConnectAsync("lone.test:443", new[] { new IPEndPoint(IPAddress.Parse(V4a), 443) }.ToAsyncEnumerable(), options, TestContext.Current.CancellationToken);
        for (int ms = 0; ms < 100 && !race.IsCompleted; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await using var connection = await race.Bounded();

        Assert.Equal("connected", Assert.Single(attempts.GetMeasurementSnapshot()).Tags["dualstack.attempt.outcome"]);
    }

    private static (TimeSpan Duration, string Outcome, ActivityStatusCode Status) Summary(Activity span) =>
        (span.Duration, (string)span.GetTagItem("dualstack.attempt.outcome")!, span.Status);
}
