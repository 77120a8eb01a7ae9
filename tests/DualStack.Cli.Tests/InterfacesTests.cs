using System.ComponentModel;
using System.Net;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary><c>dualstack interfaces</c> against the kernel's own view, as <c>ip -j addr</c> prints it.</summary>
public sealed class InterfacesTests
{
    [Fact]
    public async Task Interfaces_Json_HasSameNamesAndIndexesAsIpAddr()
    {
        var ip = await IpAddrAsync();
        var dualstack = await InterfacesJsonAsync();

        Assert.Equal(
            ip.Select(i => $"{i["ifindex"]}: {i["ifname"]}").Order(StringComparer.Ordinal),
            dualstack.Select(i => $"{i["index"]}: {i["name"]}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Interfaces_Json_HasSameAddressesAsIpAddr()
    {
        var ip = await IpAddrAsync();
        var dualstack = await InterfacesJsonAsync();

        // Addresses are compared as IPAddress values, not text: both sides claim RFC 5952, but glibc's
        // inet_ntop writes ::a.b.c.d where DualStack writes hex, and the address is what matters here.
        // An IPv6 link-local address carries its interface's name as zone; ip gives those scope "link".
        var expected = ip.SelectMany(i => Objects(i["addr_info"]).Select(a => AddressLine(
            (string)i["ifname"]!,
            (string)a["family"]! == "inet6" ? "ipv6" : "ipv4",
            (string)a["local"]!,
            (string)a["family"]! == "inet6" && (string?)a["scope"] == "link" ? (string)i["ifname"]! : null,
            (int)a["prefixlen"]!)));
        var actual = dualstack.SelectMany(i => Objects(i["addresses"]).Select(a => AddressLine(
            (string)i["name"]!,
            (string)a["family"]!,
            (string)a["address"]!,
            (string?)a["zone"],
            (int)a["prefix_length"]!)));

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Interfaces_Json_HasSameUpLoopbackMulticastFlagsAsIpAddr()
    {
        var ip = await IpAddrAsync();
        var dualstack = await InterfacesJsonAsync();

        string[] shown = ["up", "loopback", "multicast"];
        var expected = ip.Select(i => FlagLine(
            (string)i["ifname"]!,
            i["flags"]!.AsArray().Select(f => ((string)f!).ToLowerInvariant()).Where(shown.Contains)));
        var actual = dualstack.Select(i => FlagLine((string)i["name"]!, i["flags"]!.AsArray().Select(f => (string)f!)));

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Interfaces_Human_ListsEveryInterfaceWithItsAddresses()
    {
        var interfaces = await InterfacesJsonAsync();

        var result = await CliRunner.RunAsync(["interfaces"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0 && result.StdErr.Length == 0, result.ToString());
        var lines = result.StdOutLines.Select(line => line.Trim()).ToList();
        Assert.NotEmpty(interfaces);
        foreach (var nic in interfaces)
        {
            Assert.Contains(lines, line => line.StartsWith($"{nic["index"]}: {nic["name"]} <", StringComparison.Ordinal));
            foreach (var address in Objects(nic["addresses"]))
            {
                string zone = address["zone"] is { } z ? $"%{z}" : "";
                Assert.Contains($"{address["address"]}{zone}/{address["prefix_length"]}", lines);
            }
        }
    }

    private static async Task<IReadOnlyList<JsonObject>> InterfacesJsonAsync()
    {
        var result = await CliRunner.RunAsync(["interfaces", "--json"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0 && result.StdErr.Length == 0, result.ToString());
        return Objects(JsonNode.Parse(Assert.Single(result.StdOutLines))!["interfaces"]);
    }

    private static async Task<IReadOnlyList<JsonObject>> IpAddrAsync()
    {
        ProcessResult result;
        try
        {
            result = await ChildProcess.RunAsync("ip", ["-j", "addr"], TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken);
        }
        catch (Win32Exception e)
        {
            Assert.Skip($"`ip` (iproute2) is not installed, nothing to compare with: {e.Message}");
            throw;
        }

        if (result.ExitCode != 0)
        {
            Assert.Skip($"`ip -j addr` failed (an iproute2 without JSON output?): {result.StdErr.Trim()}");
        }

        return Objects(JsonNode.Parse(result.StdOut));
    }

    private static List<JsonObject> Objects(JsonNode? array) => [.. array!.AsArray().Select(item => item!.AsObject())];

    private static string AddressLine(string name, string family, string address, string? zone, int prefixLength) =>
        $"{name} {family} {IPAddress.Parse(address)} zone={zone} /{prefixLength}";

    private static string FlagLine(string name, IEnumerable<string> flags) =>
        $"{name}: {string.Join(',', flags.Order(StringComparer.Ordinal))}";
}
