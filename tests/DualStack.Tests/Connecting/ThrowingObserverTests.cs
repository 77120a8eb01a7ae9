using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using DualStack.Tests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using DualStack.Tests.Shared.Fakes;
using static DualStack.Tests.Fakes.ScriptedOutcome;

namespace DualStack.Tests.Connecting;

/// <summary>
/// An observer that throws after the winner is chosen (a logger, a meter listener, an activity listener, the candidate
/// source's disposal) may fail the connect, but must not leave the connection it was told about open.
/// </summary>
public sealed class ThrowingObserverTests
{
    private const string V6 = "2001:db8::a";
    private const string V4 = "192.0.2.10";

    [Fact]
    public async Task Logger_ThrowsOnTheWinnersEvent_TheConnectFailsAndNoSocketIsLeftOpen()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V6, 5, Connect).On(V4, 5, Connect);
        var endpoint = Endpoint(connector, time) with { LoggerFactory = new ThrowingLoggerFactory(eventId: 3) };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(endpoint, time));

        Assert.Equal("logger", e.Message);
        AssertAllClosed(connector);
    }

    [Fact]
    public async Task MeterListener_ThrowsOnAttemptMeasurement_TheConnectFailsAndNoSocketIsLeftOpen()
    {
        using var meters = new TestMeters();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters.Factory) && instrument.Name == "dualstack.connect.attempts")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("meter listener"));
        listener.Start();
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V6, 5, Connect);
        var endpoint = Endpoint(connector, time) with { MeterFactory = meters.Factory };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(endpoint, time));

        Assert.Equal("meter listener", e.Message);
        AssertAllClosed(connector);
    }

    [Fact]
    public async Task ActivityListener_ThrowsWhenASpanStops_TheConnectFailsAndNoSocketIsLeftOpen()
    {
        using var root = new Activity("throwing-observer-test").SetIdFormat(ActivityIdFormat.W3C).Start();
        var traceId = root.TraceId;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DualStackDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Only this test's trace (tests running beside it use the same source), and only the spans that stop after
                // the winner is known: the attempts' and the connect's.
                if (activity.TraceId == traceId && activity.OperationName.StartsWith("dualstack.connect", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("activity listener");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V6, 5, Connect);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(Endpoint(connector, time), time));

        Assert.Equal("activity listener", e.Message);
        AssertAllClosed(connector);
    }

    [Fact]
    public async Task CandidateSource_ThrowsWhenDisposed_TheRaceFailsAndNoSocketIsLeftOpen()
    {
        var time = new CountingTimeProvider();
        var connector = new TimedConnector(time).On(V4, 5, Connect);
        var options = new ConnectionRaceOptions { TimeProvider = time, Connector = connector.ConnectAsync };

        var race = ConnectionRace.ConnectAsync("server.test:443", new DisposeThrows(new IPEndPoint(IPAddress.Parse(V4), 443)), options, TestContext.Current.CancellationToken);
        for (int ms = 0; ms < 100 && !race.IsCompleted; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => race.Bounded());

        Assert.Equal("candidates", e.Message);
        AssertAllClosed(connector);
    }

    private static HostnameEndpoint Endpoint(TimedConnector connector, TimeProvider time) =>
        new("server.test", 443) { Resolver = new FakeResolver(IPAddress.Parse(V6), IPAddress.Parse(V4)), TimeProvider = time, Connector = connector.ConnectAsync };

    private static async Task RunAsync(HostnameEndpoint endpoint, CountingTimeProvider time)
    {
        var connect = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        for (int ms = 0; ms < 1000 && !connect.IsCompleted; ms++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await using var connection = await connect.Bounded();
    }

    private static void AssertAllClosed(TimedConnector connector)
    {
        Assert.NotEmpty(connector.Sockets);
        Assert.All(connector.Sockets, socket => Assert.True(socket.SafeHandle.IsClosed, "a connected socket was left open"));
    }

    // One candidate, then nothing more until cancelled; disposing the enumerator throws.
    private sealed class DisposeThrows(IPEndPoint only) : IAsyncEnumerable<IPEndPoint>
    {
        public IAsyncEnumerator<IPEndPoint> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(only, cancellationToken);

        private sealed class Enumerator(IPEndPoint only, CancellationToken cancellationToken) : IAsyncEnumerator<IPEndPoint>
        {
            private bool _given;

            public IPEndPoint Current => only;

            public async ValueTask<bool> MoveNextAsync()
            {
                if (!_given)
                {
                    _given = true;
                    return true;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken);
                return false;
            }

            public ValueTask DisposeAsync() => ValueTask.FromException(new InvalidOperationException("candidates"));
        }
    }
}
