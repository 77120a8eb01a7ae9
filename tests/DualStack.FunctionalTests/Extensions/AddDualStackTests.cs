using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;
using DualStack.Tests.Shared.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DualStack.FunctionalTests.Extensions;

/// <summary><c>services.AddDualStack()</c> and <c>AddHttpClient(…).UseDualStack()</c> from DualStack.Net.Extensions.</summary>
public sealed class AddDualStackTests
{
    [Fact]
    public void AddDualStack_FactoryEndpoints_CarryTheOptionsAndTheContainersServices()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging()
            .AddMetrics()
            .AddDualStack(o => o.Connect = o.Connect with
            {
                AttemptDelay = TimeSpan.FromMilliseconds(100),
                ResolutionDelay = TimeSpan.FromMilliseconds(20),
                MaxConcurrentAttempts = 3,
                PreferredFamily = AddressFamily.InterNetwork,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            });
        using var provider = services.BuildServiceProvider();

        var endpoint = provider.GetRequiredService<HostnameEndpointFactory>().Create("example.com", 443);

        Assert.Equal(TimeSpan.FromMilliseconds(100), provider.GetRequiredService<IOptions<DualStackOptions>>().Value.Connect.AttemptDelay);
        Assert.Same(provider.GetRequiredService<IOptions<DualStackOptions>>().Value.Connect, endpoint.Options);
        Assert.Equal(("example.com", 443), (endpoint.Host, endpoint.Port));
        Assert.Equal(TimeSpan.FromMilliseconds(100), endpoint.AttemptDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(20), endpoint.ResolutionDelay);
        Assert.Equal(3, endpoint.MaxConcurrentAttempts);
        Assert.Equal(AddressFamily.InterNetwork, endpoint.PreferredFamily);
        Assert.Equal(TimeSpan.FromSeconds(5), endpoint.ConnectTimeout);
        Assert.Same(SystemResolver.Instance, endpoint.Resolver);
        Assert.Same(provider.GetRequiredService<ConnectionHistory>(), endpoint.History);
        Assert.Same(provider.GetRequiredService<ILoggerFactory>(), endpoint.LoggerFactory);
        Assert.Same(provider.GetRequiredService<IMeterFactory>(), endpoint.MeterFactory);
        Assert.Same(time, endpoint.TimeProvider);
    }

    [Fact]
    public void AddDualStack_InAnEmptyContainer_UsesTheLibraryDefaults()
    {
        using var provider = new ServiceCollection().AddDualStack().BuildServiceProvider();

        var endpoint = provider.GetRequiredService<HostnameEndpointFactory>().Create("example.com", 443);

        Assert.Equal(new HostnameEndpoint("example.com", 443) { History = endpoint.History }, endpoint);
        Assert.NotNull(endpoint.History);
        Assert.Same(NullLoggerFactory.Instance, endpoint.LoggerFactory);
        Assert.Null(endpoint.MeterFactory);
        Assert.Same(TimeProvider.System, endpoint.TimeProvider);
    }

    [Fact]
    public void AddDualStack_HistorySetToNull_ConnectsWithoutHistory()
    {
        using var provider = new ServiceCollection().AddDualStack(o => o.History = null).BuildServiceProvider();

        Assert.Null(provider.GetRequiredService<HostnameEndpointFactory>().Create("example.com", 443).History);
    }

    [Fact]
    public void AddDualStack_CalledTwice_AppliesBothConfigures_AndKeepsOneHistory()
    {
        using var provider = new ServiceCollection()
            .AddDualStack(o => o.Connect = o.Connect with { AttemptDelay = TimeSpan.FromMilliseconds(100) })
            .AddDualStack(o => o.Connect = o.Connect with { ConnectTimeout = TimeSpan.FromSeconds(3) })
            .BuildServiceProvider();

        var endpoint = provider.GetRequiredService<HostnameEndpointFactory>().Create("example.com", 443);

        Assert.Equal(TimeSpan.FromMilliseconds(100), endpoint.AttemptDelay);
        Assert.Equal(TimeSpan.FromSeconds(3), endpoint.ConnectTimeout);
        Assert.Same(provider.GetRequiredService<ConnectionHistory>(), endpoint.History);
    }

    [Fact]
    public void AddDualStack_OptionOutOfRange_IsRefusedWhenTheOptionsAreBuilt_NamingIt()
    {
        using var provider = new ServiceCollection()
            .AddDualStack(o => o.Connect = o.Connect with { AttemptDelay = TimeSpan.FromMilliseconds(5) })
            .BuildServiceProvider();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => provider.GetRequiredService<HostnameEndpointFactory>());

        Assert.Equal("AttemptDelay", e.ParamName);
    }

    [Fact]
    public void AddDualStack_ConnectSetToNull_FailsOptionsValidation()
    {
        using var provider = new ServiceCollection().AddDualStack(o => o.Connect = null!).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<HostnameEndpointFactory>());

        Assert.Contains("Connect", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddDualStack_Connect_LogsAndMeasuresThroughTheContainer()
    {
        await using var listener = await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded();
        using var provider = new ServiceCollection()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug))
            .AddMetrics()
            .AddDualStack(o => o.Resolver = new FakeResolver(IPAddress.Loopback))
            .BuildServiceProvider();
        using var connects = new MetricCollector<double>(provider.GetRequiredService<IMeterFactory>(), DualStackDiagnostics.MeterName, "dualstack.connect.duration");

        await using var connection = await provider.GetRequiredService<HostnameEndpointFactory>().Create("server.test", listener.LocalEndPoints[0].Port)
            .ConnectAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal("ipv4", Assert.Single(connects.GetMeasurementSnapshot()).Tags["network.type"]);
        Assert.Contains(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 3 && r.Category == "DualStack.ConnectionRace");
        Assert.True(provider.GetRequiredService<ConnectionHistory>().TryGetWinningFamily("server.test", out var family));
        Assert.Equal(AddressFamily.InterNetwork, family);
    }

    [Fact]
    public async Task HttpClientFactory_UseDualStack_FetchesThroughTheDualStackCallback()
    {
        await using var server = new FixedHttpResponder(await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded(), "hello");
        var resolver = new FakeResolver(IPAddress.Loopback);
        var services = new ServiceCollection()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug))
            .AddMetrics()
            .AddDualStack(o => o.Resolver = resolver);
        services.AddHttpClient("api").UseDualStack();
        using var provider = services.BuildServiceProvider();
        using var attempts = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), DualStackDiagnostics.MeterName, "dualstack.connect.attempts");
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        string body = await client.GetStringAsync(new Uri($"http://server.test:{server.Port}/"), TestContext.Current.CancellationToken).Bounded();

        // "server.test" exists only in the fake resolver: plain SocketsHttpHandler would have failed to resolve it.
        Assert.Equal("hello", body);
        Assert.Equal(2, resolver.Queries);
        Assert.Equal("connected", Assert.Single(attempts.GetMeasurementSnapshot()).Tags["dualstack.attempt.outcome"]);
        Assert.Contains(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 3);
        Assert.True(provider.GetRequiredService<ConnectionHistory>().TryGetWinningFamily("server.test", out _));
    }

    [Fact]
    public async Task HttpClientFactory_UseDualStackWithConfigure_ChangesThatClientOnly()
    {
        await using var server = new FixedHttpResponder(await new TcpServerEndpoint(IPAddress.Loopback, 0).ListenAsync(TestContext.Current.CancellationToken).Bounded(), "four");
        var resolver = new FakeResolver(IPAddress.Loopback);
        var services = new ServiceCollection().AddDualStack(o => o.Resolver = resolver);
        services.AddHttpClient("v4").UseDualStack(e => e with { Family = AddressFamily.InterNetwork });
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("v4");

        string body = await client.GetStringAsync(new Uri($"http://server.test:{server.Port}/"), TestContext.Current.CancellationToken).Bounded();

        Assert.Equal("four", body);
        Assert.Equal(1, resolver.Queries);
    }

    [Fact]
    public void HttpClientFactory_UseDualStack_OnAnotherPrimaryHandler_SaysWhatIsWrong()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("old").ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler()).UseDualStack();
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("old"));

        Assert.Contains("SocketsHttpHandler", e.Message, StringComparison.Ordinal);
        Assert.Contains("'old'", e.Message, StringComparison.Ordinal);
    }
}
