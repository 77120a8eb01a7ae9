using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary><c>dualstack resolve</c> as a black box, checked against the C library's own <c>getent ahosts</c>.</summary>
public sealed class ResolveTests
{
    [Fact]
    public async Task Resolve_Localhost_ListsWhatGetentListsInTheSameOrder()
    {
        var getent = await RunGetentAsync("localhost");
        var result = await CliRunner.RunAsync(["resolve", "localhost", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!.AsObject();
        Assert.Equal("localhost", (string?)json["host"]);
        var ours = json["results"]!.AsArray().Select(r => (string)r!["address"]!).ToList();
        Assert.Equal(getent, ours);
        Assert.All(json["results"]!.AsArray(), r => Assert.Equal("stream", (string?)r!["socket_type"]));
    }

    [Fact]
    public async Task Resolve_ServiceName_GivesItsPort()
    {
        var result = await CliRunner.RunAsync(["resolve", "localhost", "http", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!.AsObject();
        Assert.All(json["results"]!.AsArray(), r => Assert.Equal(80, (int)r!["port"]!));
    }

    [Fact]
    public async Task Resolve_ZonedLiteral_KeepsTheZoneName()
    {
        var result = await CliRunner.RunAsync(["resolve", "fe80::1%lo", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var entry = JsonNode.Parse(Assert.Single(result.StdOutLines))!["results"]![0]!;
        Assert.Equal(("ipv6", "fe80::1", "lo"), ((string?)entry["family"], (string?)entry["address"], (string?)entry["zone"]));
    }

    [Fact]
    public async Task Resolve_NonexistentName_ExitsOneNamingTheHostAndTheCode()
    {
        var result = await CliRunner.RunAsync(["resolve", "nonexistent.invalid"], TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.StdOut);
        string error = Assert.Single(result.StdErrLines);
        Assert.StartsWith("dualstack: ", error, StringComparison.Ordinal);
        Assert.Contains("nonexistent.invalid", error, StringComparison.Ordinal);
        Assert.Contains("NoSuchName", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_FamilySix_OnlyIPv6()
    {
        var result = await CliRunner.RunAsync(["resolve", "::1", "--family", "6", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("ipv6", (string?)JsonNode.Parse(result.StdOut)!["results"]![0]!["family"]);
    }

    [Fact]
    public async Task Resolve_HostsFileResolver_UsesTheFile()
    {
        string hosts = Path.Combine(Path.GetTempPath(), $"dualstack-hosts-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(hosts, "2001:db8::7 app.test\n192.0.2.7 app.test\n", TestContext.Current.CancellationToken);
        try
        {
            var result = await CliRunner.RunAsync(["resolve", "app.test", "443", "--resolver", $"hosts={hosts}", "--json"], TestContext.Current.CancellationToken);

            Assert.Equal(0, result.ExitCode);
            var addresses = JsonNode.Parse(result.StdOut)!["results"]!.AsArray().Select(r => (string?)r!["address"]).ToList();
            Assert.Equal(2, addresses.Count);
            Assert.Contains("2001:db8::7", addresses);
            Assert.Contains("192.0.2.7", addresses);
        }
        finally
        {
            File.Delete(hosts);
        }
    }

    // Ctrl-C while a DNS server stays silent: the command stops at once with exit 130 and one line (and with --json the
    // error object), instead of being killed by the signal with nothing said.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Resolve_InterruptedWhileTheServerIsSilent_ExitsWith130AndOneLine(bool json)
    {
        await using var dns = new LoopbackDnsServer(System.Net.IPAddress.Loopback) { Silent = true };
        string[] arguments = ["resolve", "app.test", "--resolver", $"dns={dns.EndPoint}", .. json ? new[] { "--json" } : []];
        await using var child = CliRunner.Start(arguments);
        for (int i = 0; i < 100 && dns.QueryCount("app.test", LoopbackDnsServer.TypeA, System.Net.Sockets.ProtocolType.Udp) == 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var result = await child.StopAsync(System.Runtime.InteropServices.PosixSignal.SIGINT, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        CliAssert.Error(result, 130, "dualstack: interrupted", json);
    }

    [Fact]
    public async Task Resolve_DnsResolver_AsksTheChosenServerAndSortsTheAnswer()
    {
        await using var dns = new LoopbackDnsServer(System.Net.IPAddress.Loopback);
        dns.Add("app.test", System.Net.IPAddress.Parse("127.0.0.5"));
        dns.Add("app.test", System.Net.IPAddress.IPv6Loopback);

        var result = await CliRunner.RunAsync(["resolve", "app.test", "--resolver", $"dns={dns.EndPoint}", "--json"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var addresses = JsonNode.Parse(result.StdOut)!["results"]!.AsArray().Select(r => (string?)r!["address"]).ToList();
        // RFC 6724 rule 6: ::1 (precedence 50) before IPv4 (35).
        Assert.Equal(["::1", "127.0.0.5"], addresses);
        Assert.Equal(1, dns.QueryCount("app.test", LoopbackDnsServer.TypeAaaa, System.Net.Sockets.ProtocolType.Udp));
        Assert.Equal(1, dns.QueryCount("app.test", LoopbackDnsServer.TypeA, System.Net.Sockets.ProtocolType.Udp));
    }

    [Theory]
    [InlineData("--resolver", "bogus")]
    [InlineData("--resolver", "hosts=/nonexistent/hosts")]
    [InlineData("--family", "5")]
    public async Task Resolve_BadOption_ExitsTwo(string option, string value)
    {
        var result = await CliRunner.RunAsync(["resolve", "localhost", option, value], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("dualstack: ", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    private static async Task<List<string>> RunGetentAsync(string name)
    {
        ProcessResult getent;
        try
        {
            getent = await ChildProcess.RunAsync("getent", ["ahosts", name], TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("getent is not installed");
            throw;
        }

        return [.. getent.StdOutLines.Where(l => l.Contains(" STREAM", StringComparison.Ordinal)).Select(l => l.Split(' ', 2)[0])];
    }
}
