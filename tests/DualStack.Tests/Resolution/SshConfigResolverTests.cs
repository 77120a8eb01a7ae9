using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared.Fakes;

namespace DualStack.Tests.Resolution;

public class SshConfigResolverTests
{
    private const string Config = """
        # ~/.ssh/config
        Host db
            HostName db.internal.example
            Port 2222

        Host *.corp !secret.corp
          HostName %h.example
          Port=2022

        Host web? "quoted"
            HostName=web-pool.example

        Match host anything
            HostName never.example

        Host *
            Port 22
            HostName fallback-is-not-used-for-%%h
        Include other.conf
        Host badport
            Port 70000
        """;

    [Theory]
    [InlineData("db", "db.internal.example", 2222)]
    [InlineData("DB", "db.internal.example", 2222)]
    [InlineData("build.corp", "build.corp.example", 2022)]
    [InlineData("secret.corp", "fallback-is-not-used-for-%h", 22)]
    [InlineData("web1", "web-pool.example", 22)]
    [InlineData("web12", "fallback-is-not-used-for-%h", 22)]
    [InlineData("quoted", "web-pool.example", 22)]
    public void Map_FirstObtainedValueWinsPerKeyword(string alias, string hostName, int port)
    {
        var resolver = SshConfigResolver.Parse(Config, new FakeResolver());

        Assert.Equal((hostName, (int?)port), resolver.Map(alias));
    }

    [Fact]
    public void Map_NoBlockMatches_LeavesTheNameAndPort()
    {
        var resolver = SshConfigResolver.Parse("Host db\n  HostName db.example\n", new FakeResolver());

        Assert.Equal(("other", (int?)null), resolver.Map("other"));
    }

    [Fact]
    public void Parse_UnsupportedOrBadLines_AreReported()
    {
        var resolver = SshConfigResolver.Parse(Config, new FakeResolver());

        Assert.Contains(resolver.Warnings, w => w.Contains("'Match'", StringComparison.Ordinal));
        Assert.Contains(resolver.Warnings, w => w.Contains("'Include'", StringComparison.Ordinal));
        Assert.Contains(resolver.Warnings, w => w.Contains("70000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resolve_Alias_ResolvesTheHostNameWithTheAliasPort()
    {
        var inner = new HostTableResolver().Add("db.internal.example", IPAddress.Parse("2001:db8::5"));
        var resolver = SshConfigResolver.Parse(Config, inner);

        var answer = await resolver.ResolveAsync("db", 22, AddressFamily.InterNetworkV6, TestContext.Current.CancellationToken);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::5"), 2222), Assert.Single(answer.EndPoints));
        Assert.Equal("db.internal.example", answer.CanonicalName);
    }
}
