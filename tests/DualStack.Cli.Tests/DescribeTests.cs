using System.Text.Json;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary><c>dualstack describe DESCRIPTION --json</c> on good descriptions: what each means, and that its output parses back.</summary>
public sealed class DescribeTests
{
    public static TheoryData<string, string?> Descriptions() => new()
    {
        { "tcp://[fe80::1%lo]:5555", null },
        { @"tcp:8080:interface=\:\:1", null },
        { "tcp://*:0", null },
        { "tcp://lo:80", null },
        { "tcp6:8080", null },
        { "tcp:host=example.com:port=443", null },
        { "tcp://[::1]:5555", "server" },
        { "tcp://[::1]:5555", "client" },
        { "tcp://[fe80::1%1]:22", null },
        { "tcp:8080:interface=[::1]", null },
        { "tcp://*:8080?dualmode=false&backlog=5", null },
        { "tcp://example.com:443?timeout=2.5&bind=192.0.2.1", null },
        { @"tcp:host=fe80\:\:1%lo:port=22:bind=fe80\:\:2%lo", null },
    };

    // On a terminal: every value starts in one column, however long the keys, and a name's addresses say when they come.
    [Fact]
    public async Task Describe_Human_AlignsEveryValue_AndSaysANamesAddressesAreResolvedWhenConnecting()
    {
        var result = await CliRunner.RunAsync(["describe", "tls://example.com:443?unsafeSkipCertificateValidation=true"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.StdOutLines.Skip(1).ToList();
        int column = rows[0].IndexOf("example.com", StringComparison.Ordinal);
        Assert.All(rows, row => Assert.True(row.Length > column && row[column - 1] == ' ' && row[column] != ' ', row));
        Assert.Contains(rows, row => row.StartsWith("  addresses ", StringComparison.Ordinal) && row.EndsWith("(resolved when connecting)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Describe_LinkLocalWithZone_GivesAddressZoneAndPort()
    {
        var json = await DescribeJsonAsync("tcp://[fe80::1%lo]:5555", role: null);

        var address = FirstAddress(json);
        Assert.Equal("fe80::1", (string?)address["address"]);
        Assert.Equal("lo", (string?)address["zone"]);
        Assert.Equal("ipv6", (string?)address["family"]);
        Assert.Equal(5555, (int?)json["port"]);
    }

    [Fact]
    public async Task Describe_TwistedEscapedIPv6Interface_GivesAddressAndPort()
    {
        var json = await DescribeJsonAsync(@"tcp:8080:interface=\:\:1", role: null);

        var address = FirstAddress(json);
        Assert.Equal("::1", (string?)address["address"]);
        Assert.Null((string?)address["zone"]);
        Assert.Equal(8080, (int?)json["port"]);
        Assert.Equal("server", (string?)json["role"]);
        Assert.Equal("address", (string?)json["scope"]);
    }

    [Fact]
    public async Task Describe_StarWithPortZero_IsAllInterfacesServer()
    {
        var json = await DescribeJsonAsync("tcp://*:0", role: null);

        Assert.Equal("tcp-server", (string?)json["kind"]);
        Assert.Equal("all-interfaces", (string?)json["scope"]);
        Assert.Equal(0, (int?)json["port"]);
    }

    [Fact]
    public async Task Describe_LoopbackInterface_ListsItsIPv4AndIPv6Addresses()
    {
        var json = await DescribeJsonAsync("tcp://lo:80", role: null);

        Assert.Equal("interface", (string?)json["scope"]);
        Assert.Equal("lo", (string?)json["interface"]);
        Assert.Equal(80, (int?)json["port"]);
        var addresses = json["addresses"]!.AsArray().Select(a => $"{a!["family"]} {a["address"]} zone={a["zone"]}").Order(StringComparer.Ordinal);
        Assert.Equal(["ipv4 127.0.0.1 zone=", "ipv6 ::1 zone="], addresses);
    }

    [Fact]
    public async Task Describe_Tcp6WithPort_ListensOnIPv6Any()
    {
        var json = await DescribeJsonAsync("tcp6:8080", role: null);

        var address = Assert.Single(json["addresses"]!.AsArray())!;
        Assert.Equal("::", (string?)address["address"]);
        Assert.Equal("ipv6", (string?)address["family"]);
        Assert.Equal(8080, (int?)json["port"]);
    }

    [Fact]
    public async Task Describe_TwistedHostAndPort_IsHostnameClientWithoutAddresses()
    {
        var json = await DescribeJsonAsync("tcp:host=example.com:port=443", role: null);

        Assert.Equal("hostname", (string?)json["kind"]);
        Assert.Equal("client", (string?)json["role"]);
        Assert.Equal("example.com", (string?)json["host"]);
        Assert.Equal(443, (int?)json["port"]);
        Assert.Empty(json["addresses"]!.AsArray());
    }

    [Theory]
    [InlineData("server", "tcp-server")]
    [InlineData("client", "tcp-client")]
    public async Task Describe_RoleGiven_ReadsTheSameTextAsThatRole(string role, string kind)
    {
        var json = await DescribeJsonAsync("tcp://[::1]:5555", role);

        Assert.Equal(role, (string?)json["role"]);
        Assert.Equal(kind, (string?)json["kind"]);
        Assert.Equal("::1", (string?)FirstAddress(json)["address"]);
        Assert.Equal(5555, (int?)json["port"]);
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public async Task Describe_UriAndTwistedOutput_DescribeTheSameEndpoint(string description, string? role)
    {
        var original = await DescribeJsonAsync(description, role);
        string sameRole = (string)original["role"]!;

        foreach (string syntax in new[] { "uri", "twisted" })
        {
            string formatted = (string)original[syntax]!;
            var reparsed = await DescribeJsonAsync(formatted, sameRole);

            Assert.Equal(WithoutDescription(original), WithoutDescription(reparsed));
        }
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public async Task Describe_Json_WritesOneJsonObjectAndNothingElse(string description, string? role)
    {
        var result = await CliRunner.RunAsync(Arguments(description, role, json: true), TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StdErr);
        Assert.EndsWith("\n", result.StdOut, StringComparison.Ordinal);
        foreach (string line in result.StdOutLines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }

        Assert.Single(result.StdOutLines);
    }

    private static async Task<JsonObject> DescribeJsonAsync(string description, string? role)
    {
        var result = await CliRunner.RunAsync(Arguments(description, role, json: true), TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0 && result.StdErr.Length == 0, result.ToString());
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!.AsObject();
        Assert.Equal(description, (string?)json["description"]);
        return json;
    }

    private static string[] Arguments(string description, string? role, bool json)
    {
        var arguments = new List<string> { "describe", description };
        if (role is not null)
        {
            arguments.AddRange(["--role", role]);
        }

        if (json)
        {
            arguments.Add("--json");
        }

        return [.. arguments];
    }

    private static JsonObject FirstAddress(JsonObject json) => json["addresses"]![0]!.AsObject();

    // Property order is the CLI's own and stable, so comparing text shows the difference field by field.
    private static string WithoutDescription(JsonObject json)
    {
        var copy = json.DeepClone().AsObject();
        copy.Remove("description");
        return copy.ToJsonString();
    }
}
