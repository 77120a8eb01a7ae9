using System.Net;
using DualStack.Tests.Shared.Diagnostics;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;
using DualStack.Tests.Shared.Http;

namespace DualStack.FunctionalTests.Http;

/// <summary><see cref="DualStackHttp"/>: HttpClient connecting through a <see cref="HostnameEndpoint"/>, on loopback.</summary>
public sealed class DualStackHttpTests
{
    [Fact]
    public async Task UseDualStack_FetchesByName_ThroughTheConfiguredEndpoint()
    {
        using var meters = new TestMeters();
        var attempts = meters.Collect<long>("dualstack.connect.attempts");
        await using var server = new FixedHttpResponder(await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded(), "hello");
        var resolver = new FakeResolver(IPAddress.Loopback);
        using var client = new HttpClient(new SocketsHttpHandler().UseDualStack(e => e with { Resolver = resolver, MeterFactory = meters.Factory }));

        string body = await client.GetStringAsync(new Uri($"http://server.test:{server.Port}/"), TestContext.Current.CancellationToken).Bounded();

        Assert.Equal("hello", body);
        Assert.Equal(2, resolver.Queries);
        Assert.Equal("connected", Assert.Single(attempts.GetMeasurementSnapshot()).Tags["dualstack.attempt.outcome"]);
    }

    [Fact]
    public async Task UseDualStack_IPv6LiteralUrl_ConnectsToTheLiteral()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        await using var server = new FixedHttpResponder(await new TcpServerEndpoint(IPAddress.IPv6Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded(), "six");
        var resolver = new FakeResolver();
        using var client = new HttpClient(new SocketsHttpHandler().UseDualStack(e => e with { Resolver = resolver }));

        string body = await client.GetStringAsync(new Uri($"http://[::1]:{server.Port}/"), TestContext.Current.CancellationToken).Bounded();

        Assert.Equal("six", body);
        Assert.Equal(0, resolver.Queries);
    }

    [Fact]
    public async Task UseDualStack_NameNotFound_IsAnHttpRequestExceptionAroundTheResolutionError()
    {
        using var client = new HttpClient(new SocketsHttpHandler().UseDualStack(e => e with { Resolver = new FakeResolver() { FailWith = ResolutionError.NoSuchName } }));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri("http://nowhere.test/"), TestContext.Current.CancellationToken).Bounded());

        var inner = Assert.IsType<HostResolutionException>(e.InnerException);
        Assert.Equal(ResolutionError.NoSuchName, inner.Error);
    }

    [Fact]
    public async Task UseDualStack_CancelledRequest_EndsTheRaceWithTheCallersCancellation()
    {
        var resolver = new NeverAnsweringResolver();
        using var client = new HttpClient(new SocketsHttpHandler().UseDualStack(e => e with { Resolver = resolver }));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var request = client.GetStringAsync(new Uri("http://slow.test/"), cancel.Token);
        await resolver.Asked.Bounded();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.Bounded());
    }

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("[::1]", "::1")]
    [InlineData("[fe80::1%25eth0]", "fe80::1%eth0")]
    [InlineData("[fe80::1%252]", "fe80::1%2")]
    [InlineData("192.0.2.1", "192.0.2.1")]
    public void UrlHost_UnbracketsIPv6AndDecodesTheZone(string urlHost, string expected) =>
        Assert.Equal(expected, DualStackHttp.UrlHost(urlHost));

    private sealed class NeverAnsweringResolver : IHostResolver
    {
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Asked => _asked.Task;

        public async ValueTask<HostAddresses> ResolveAsync(string host, int port, System.Net.Sockets.AddressFamily family, CancellationToken cancellationToken = default)
        {
            _asked.TrySetResult();
            await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
            throw new InvalidOperationException("never answers");
        }
    }
}
