using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using DualStack.Tests.Shared.Fakes;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace DualStack.FunctionalTests.Diagnostics;

/// <summary>The instruments of the <c>DualStack</c> meter (docs/diagnostics.md), observed on real loopback connects.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task SuccessfulConnect_RecordsDurationAttemptAndResolutionsByFamily()
    {
        using var meters = new TestMeters();
        var connects = meters.Collect<double>("dualstack.connect.duration");
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        var resolves = meters.Collect<double>("dualstack.resolve.duration");
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var endpoint = new HostnameEndpoint("server.test", listener.LocalEndPoints[0].Port)
        {
            Resolver = new FakeResolver(IPAddress.Loopback),
            MeterFactory = meters.Factory,
        };

        await using var connection = await endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        var connect = Assert.Single(connects.GetMeasurementSnapshot());
        Assert.Equal("ipv4", connect.Tags["network.type"]);
        Assert.False(connect.Tags.ContainsKey("error.type"));
        var attempt = Assert.Single(attempts.GetMeasurementSnapshot());
        Assert.Equal(1, attempt.Value);
        Assert.Equal("ipv4", attempt.Tags["network.type"]);
        Assert.Equal("connected", attempt.Tags["dualstack.attempt.outcome"]);
        // One query per family; the IPv6 one answered with no address, which is not an error.
        Assert.Equal(["ipv4", "ipv6"], resolves.GetMeasurementSnapshot().Select(m => (string)m.Tags["network.type"]!).Order());
        Assert.All(resolves.GetMeasurementSnapshot(), m => Assert.False(m.Tags.ContainsKey("error.type")));
    }

    [Fact]
    public async Task Durations_AreMeasuredInSecondsOnTheEndpointsClock()
    {
        using var meters = new TestMeters();
        var connects = meters.Collect<double>("dualstack.connect.duration");
        var resolves = meters.Collect<double>("dualstack.resolve.duration");
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        var time = new FakeTimeProvider();
        var resolver = new ClockResolver(new FakeResolver(IPAddress.Loopback), time, TimeSpan.FromMilliseconds(120));
        var endpoint = new HostnameEndpoint("server.test", listener.LocalEndPoints[0].Port)
        {
            Resolver = resolver,
            MeterFactory = meters.Factory,
            TimeProvider = time,
        };

        var connecting = endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask();
        await resolver.BothFamiliesAsked.Bounded();
        time.Advance(TimeSpan.FromMilliseconds(120));
        await using var connection = await connecting.Bounded();

        Assert.Equal(0.12, Assert.Single(connects.GetMeasurementSnapshot()).Value, precision: 6);
        Assert.All(resolves.GetMeasurementSnapshot(), m => Assert.Equal(0.12, m.Value, precision: 6));
        Assert.Equal(2, resolves.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task RefusedConnect_RecordsTheErrorTypeOnConnectAndAttempt()
    {
        using var meters = new TestMeters();
        var connects = meters.Collect<double>("dualstack.connect.duration");
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        var endpoint = new HostnameEndpoint("server.test", ClosedPort())
        {
            Resolver = new FakeResolver(IPAddress.Loopback),
            MeterFactory = meters.Factory,
        };

        await Assert.ThrowsAsync<ConnectionRaceException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        var connect = Assert.Single(connects.GetMeasurementSnapshot());
        Assert.Equal("connection_refused", connect.Tags["error.type"]);
        Assert.False(connect.Tags.ContainsKey("network.type"));
        var attempt = Assert.Single(attempts.GetMeasurementSnapshot());
        Assert.Equal("failed", attempt.Tags["dualstack.attempt.outcome"]);
        Assert.Equal("connection_refused", attempt.Tags["error.type"]);
        Assert.Equal("ipv4", attempt.Tags["network.type"]);
    }

    [Fact]
    public async Task ResolutionFailure_RecordsHostNotFound_AndNoAttempt()
    {
        using var meters = new TestMeters();
        var connects = meters.Collect<double>("dualstack.connect.duration");
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        var resolves = meters.Collect<double>("dualstack.resolve.duration");
        var endpoint = new HostnameEndpoint("nowhere.test", 80)
        {
            Resolver = new FakeResolver() { FailWith = ResolutionError.NoSuchName },
            MeterFactory = meters.Factory,
        };

        await Assert.ThrowsAsync<HostResolutionException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Equal("host_not_found", Assert.Single(connects.GetMeasurementSnapshot()).Tags["error.type"]);
        Assert.Equal(2, resolves.GetMeasurementSnapshot().Count);
        Assert.All(resolves.GetMeasurementSnapshot(), m => Assert.Equal("host_not_found", m.Tags["error.type"]));
        Assert.Empty(attempts.GetMeasurementSnapshot());
    }

    [Theory]
    [InlineData("127.0.0.1", "ipv4")]
    [InlineData("::1", "ipv6")]
    public async Task ListenerAccept_IsCountedByThePeersFamily(string address, string networkType)
    {
        var ip = IPAddress.Parse(address);
        IPv6Support.SkipUnlessAvailable(ip);
        using var meters = new TestMeters();
        var accepts = meters.Collect<long>("dualstack.listener.accepts");
        await using var listener = await (TcpServerEndpoint.AllInterfaces(0) with { MeterFactory = meters.Factory })
            .ListenAsync(TestContext.Current.CancellationToken).Bounded();
        using var client = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

        await client.ConnectAsync(new IPEndPoint(ip, listener.LocalEndPoints[0].Port), TestContext.Current.CancellationToken).AsTask().Bounded();
        await using var accepted = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();

        var accept = Assert.Single(accepts.GetMeasurementSnapshot());
        Assert.Equal(1, accept.Value);
        // A dual-mode socket sees an IPv4 peer as ::ffff:127.0.0.1; the tag says what the peer really is.
        Assert.Equal(networkType, accept.Tags["network.type"]);
    }

    [Fact]
    public async Task WithoutAMeterFactory_TheSharedStaticMeterNamedDualStackIsUsed()
    {
        using var collector = new MetricCollector<double>(meterScope: null, DualStackDiagnostics.MeterName, "dualstack.connect.duration");
        var endpoint = new HostnameEndpoint("static-meter.test", 80) { Resolver = new FakeResolver() { FailWith = ResolutionError.NoData } };

        await Assert.ThrowsAsync<HostResolutionException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        // Other tests may record on the shared meter at the same time; this one's failure is among what was seen.
        Assert.Contains(collector.GetMeasurementSnapshot(), m => Equals(m.Tags.GetValueOrDefault("error.type"), "no_data"));
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Answers after <paramref name="delay"/> on <paramref name="time"/>; says when both families have asked.</summary>
    private sealed class ClockResolver(IHostResolver inner, TimeProvider time, TimeSpan delay) : IHostResolver
    {
        private readonly TaskCompletionSource _bothAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _asked;

        public Task BothFamiliesAsked => _bothAsked.Task;

        public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
        {
            var waiting = Task.Delay(delay, time, cancellationToken);
            if (Interlocked.Increment(ref _asked) == 2)
            {
                _bothAsked.SetResult();
            }

            await waiting;
            return await inner.ResolveAsync(host, port, family, cancellationToken);
        }
    }
}
