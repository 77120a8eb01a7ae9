using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DualStack.FunctionalTests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.FunctionalTests.Diagnostics;

/// <summary>The spans of the <c>DualStack</c> activity source (docs/diagnostics.md), observed on real loopback connects.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task SuccessfulConnect_IsOneConnectSpan_WithResolveAndAttemptChildren()
    {
        using var recorder = new ActivityRecorder();
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        int port = listener.LocalEndPoints[0].Port;
        var endpoint = new HostnameEndpoint("server.test", port) { Resolver = new FakeResolver(IPAddress.Loopback) };

        await using var connection = await endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        var connect = Assert.Single(recorder.Named("dualstack.connect"));
        Assert.Equal(recorder.Root.SpanId, connect.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, connect.Status);
        Assert.Equal("server.test", connect.GetTagItem("server.address"));
        Assert.Equal(port, connect.GetTagItem("server.port"));
        Assert.Equal("127.0.0.1", connect.GetTagItem("network.peer.address"));
        Assert.Equal("ipv4", connect.GetTagItem("network.type"));
        Assert.Equal(1, connect.GetTagItem("dualstack.connect.attempt_count"));

        var resolves = recorder.Named("dualstack.resolve");
        Assert.Equal(2, resolves.Count);
        Assert.All(resolves, r => Assert.Equal(connect.SpanId, r.ParentSpanId));
        Assert.Equal(["ipv4", "ipv6"], resolves.Select(r => (string)r.GetTagItem("network.type")!).Order());
        Assert.Equal(1, resolves.Single(r => Equals(r.GetTagItem("network.type"), "ipv4")).GetTagItem("dualstack.resolve.address_count"));

        var attempt = Assert.Single(recorder.Named("dualstack.connect.attempt"));
        Assert.Equal(connect.SpanId, attempt.ParentSpanId);
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal("connected", attempt.GetTagItem("dualstack.attempt.outcome"));
        Assert.Equal("127.0.0.1", attempt.GetTagItem("network.peer.address"));
        Assert.Equal(port, attempt.GetTagItem("network.peer.port"));
        Assert.Equal("server.test", attempt.GetTagItem("server.address"));
        Assert.Same(recorder.Root, Activity.Current);
    }

    [Fact]
    public async Task RefusedConnect_MarksTheAttemptAndTheConnectAsErrors()
    {
        using var recorder = new ActivityRecorder();
        var endpoint = new HostnameEndpoint("server.test", ClosedPort()) { Resolver = new FakeResolver(IPAddress.Loopback) };

        await Assert.ThrowsAsync<ConnectionRaceException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        var connect = Assert.Single(recorder.Named("dualstack.connect"));
        Assert.Equal(ActivityStatusCode.Error, connect.Status);
        Assert.Equal("connection_refused", connect.GetTagItem("error.type"));
        var attempt = Assert.Single(recorder.Named("dualstack.connect.attempt"));
        Assert.Equal(ActivityStatusCode.Error, attempt.Status);
        Assert.Equal("failed", attempt.GetTagItem("dualstack.attempt.outcome"));
        Assert.Equal("connection_refused", attempt.GetTagItem("error.type"));
        Assert.Equal("ipv4", attempt.GetTagItem("network.type"));
    }

    [Fact]
    public async Task ResolutionFailure_MarksBothResolveSpansAndTheConnect_AndMakesNoAttemptSpan()
    {
        using var recorder = new ActivityRecorder();
        var endpoint = new HostnameEndpoint("nowhere.test", 80) { Resolver = new FakeResolver() { FailWith = ResolutionError.NoSuchName } };

        await Assert.ThrowsAsync<HostResolutionException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded());

        var connect = Assert.Single(recorder.Named("dualstack.connect"));
        Assert.Equal("host_not_found", connect.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, connect.Status);
        var resolves = recorder.Named("dualstack.resolve");
        Assert.Equal(2, resolves.Count);
        Assert.All(resolves, r =>
        {
            Assert.Equal(ActivityStatusCode.Error, r.Status);
            Assert.Equal("host_not_found", r.GetTagItem("error.type"));
            Assert.Equal("nowhere.test", r.GetTagItem("server.address"));
        });
        Assert.Empty(recorder.Named("dualstack.connect.attempt"));
    }

    [Fact]
    public async Task RaceWithALoser_EveryAttemptIsASiblingUnderTheConnect()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var recorder = new ActivityRecorder();
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        // ::1 refuses at once (nothing listens there on this port), so IPv4 starts without waiting for the attempt delay.
        var endpoint = new HostnameEndpoint("server.test", listener.LocalEndPoints[0].Port)
        {
            Resolver = new FakeResolver(IPAddress.IPv6Loopback, IPAddress.Loopback),
        };

        await using var connection = await endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        var connect = Assert.Single(recorder.Named("dualstack.connect"));
        var attempts = recorder.Named("dualstack.connect.attempt").OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(connect.SpanId, a.ParentSpanId));
        Assert.Equal(["ipv6", "ipv4"], attempts.Select(a => (string)a.GetTagItem("network.type")!));
        Assert.Equal(["failed", "connected"], attempts.Select(a => (string)a.GetTagItem("dualstack.attempt.outcome")!));
        Assert.Equal(2, connect.GetTagItem("dualstack.connect.attempt_count"));
    }

    [Fact]
    public async Task LiteralConnect_LogsItsAttemptUnderTheConnectSpan_LikeAConnectByName()
    {
        using var recorder = new ActivityRecorder();
        using var logs = new ListLoggerFactory();
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        int port = listener.LocalEndPoints[0].Port;
        var endpoints = new[]
        {
            new HostnameEndpoint("127.0.0.1", port) { LoggerFactory = logs },
            new HostnameEndpoint("server.test", port) { LoggerFactory = logs, Resolver = new FakeResolver(IPAddress.Loopback) },
        };

        foreach (var endpoint in endpoints)
        {
            await using var connection = await endpoint.ConnectAsync(TestContext.Current.CancellationToken).Bounded();
        }

        // The attempt's span covers the attempt's own work; what the connect logs about it belongs to the connect.
        var connects = recorder.Named("dualstack.connect");
        Assert.Equal(2, connects.Count);
        var attemptLines = logs.Events.Where(e => e.Category == "DualStack.ConnectionRace").ToList();
        Assert.Equal(4, attemptLines.Count);
        Assert.All(attemptLines, e => Assert.Contains(e.Activity, connects));
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
