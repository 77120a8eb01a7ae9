using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.Tests.Resolution;

public class ChainResolverTests
{
    [Fact]
    public async Task Resolve_NameInTheFirstTable_IsAnsweredThereEvenWhenEmptyForTheFamily()
    {
        var overrides = new HostTableResolver().Add("app.example", IPAddress.Parse("192.0.2.1"));
        var fallback = new FakeResolver(IPAddress.Parse("2001:db8::1"));
        var chain = new ChainResolver(overrides, fallback);

        var v6 = await chain.ResolveAsync("app.example", 80, AddressFamily.InterNetworkV6, TestContext.Current.CancellationToken);

        Assert.Empty(v6.EndPoints);
        Assert.Equal(0, fallback.Queries);
    }

    [Fact]
    public async Task Resolve_NameUnknownToTheFirst_GoesToTheNext()
    {
        var overrides = new HostTableResolver().Add("app.example", IPAddress.Parse("192.0.2.1"));
        var chain = new ChainResolver(overrides, new FakeResolver(IPAddress.Parse("2001:db8::1")));

        var answer = await chain.ResolveAsync("other.example", 80, AddressFamily.InterNetworkV6, TestContext.Current.CancellationToken);

        Assert.Equal(IPAddress.Parse("2001:db8::1"), Assert.Single(answer.EndPoints).Address);
    }

    [Fact]
    public async Task Resolve_NobodyKnowsTheName_ThrowsTheLastError()
    {
        var chain = new ChainResolver(new HostTableResolver(), new FakeResolver { FailWith = ResolutionError.TryAgain });

        var e = await Assert.ThrowsAsync<HostResolutionException>(() => chain.ResolveAsync("x.example", 1, AddressFamily.InterNetwork, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(ResolutionError.TryAgain, e.Error);
    }

    [Fact]
    public void Create_WithoutResolvers_IsAnArgumentError()
    {
        Assert.Throws<ArgumentException>(() => new ChainResolver());
    }
}
