using System.Net;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.Tests.Connecting;

/// <summary>A bind address restricts a connect by name to its family; when that family has no address, the error says why.</summary>
public sealed class BindFamilyTests
{
    [Theory]
    [InlineData("::1", "IPv6", "192.0.2.10")]
    [InlineData("127.0.0.1", "IPv4", "2001:db8::10")]
    public async Task BindOfAFamilyTheNameLacks_TheResolutionErrorSaysOnlyThatFamilyWasAskedFor(string bind, string family, string onlyAddress)
    {
        var resolver = new FakeResolver(IPAddress.Parse(onlyAddress));
        var endpoint = new HostnameEndpoint("server.test", 443) { Resolver = resolver, BindEndPoint = new IPEndPoint(IPAddress.Parse(bind), 0) };

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => endpoint.ConnectAsync(TestContext.Current.CancellationToken).AsTask().Bounded());

        Assert.Equal(ResolutionError.NoData, e.Error);
        Assert.Contains($"only {family} addresses were asked for, since the bind address", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, resolver.Queries);
    }
}
