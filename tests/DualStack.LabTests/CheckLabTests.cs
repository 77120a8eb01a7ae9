using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>
/// <c>dualstack check</c> run inside the lab's client namespace against a name from the lab's hosts file: a healthy
/// name, one whose IPv6 addresses drop SYNs, one whose IPv6 address refuses, and one where nothing works. Each test
/// asserts every address's classification, the verdict's headline and the exit code.
/// </summary>
/// <remarks>
/// The command reads the names with <c>--resolver hosts=/etc/hosts</c>: inside the namespace that is the file
/// <see cref="NetworkLab.WriteHostsAsync"/> wrote. Addresses that must time out get a 1.5 s <c>--timeout</c>, so that
/// the command, started with <c>ip netns exec</c>, ends well within the lab's 10 s limit on a loaded machine.
/// </remarks>
public sealed class CheckLabTests
{
    private const string Name = "server.lab.test";

    // A documentation prefix with no route in the client namespace: a connect to it fails at once, unreachable.
    private static readonly IPAddress s_unroutedIPv6 = IPAddress.Parse("2001:db8::1");

    [Fact]
    public async Task Healthy_EveryAddressConnects_ExitsZero()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        await using var listener = await ListenAsync(lab, TcpServerEndpoint.AllInterfaces(0));
        await lab.WriteHostsAsync([(Name, lab.ServerIPv6), (Name, lab.ServerIPv4)]);

        var (result, json) = await CheckAsync(lab, Port(listener));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Expected((lab.ServerIPv6, "connected"), (lab.ServerIPv4, "connected")), Outcomes(json));
        Assert.Equal("healthy: both families work", (string?)json["verdict"]);
        Assert.True((bool)json["ok"]!);
    }

    [Fact]
    public async Task IPv6Blackholed_BothIPv6AddressesTimeOut_IPv4Connects_ExitsZero()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var dead1 = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        var dead2 = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        await using var listener = await ListenAsync(lab, TcpServerEndpoint.AllInterfaces(0));
        await lab.WriteHostsAsync([(Name, dead1), (Name, dead2), (Name, lab.ServerIPv4)]);

        var (result, json) = await CheckAsync(lab, Port(listener), "--timeout", "1.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Expected((dead1, "timeout"), (dead2, "timeout"), (lab.ServerIPv4, "connected")), Outcomes(json));
        foreach (var address in json["addresses"]!.AsArray().Where(a => (string?)a!["outcome"] == "timeout"))
        {
            Assert.InRange((double)address!["ms"]!, 1400, 5000);
        }

        Assert.Equal(
            "IPv6 broken: both IPv6 addresses drop SYNs; IPv4 works; a Happy Eyeballs client connects over IPv4 after its 250 ms attempt delay, a sequential client stalls until its timeout",
            (string?)json["verdict"]);
    }

    [Fact]
    public async Task IPv6Refused_IPv4Connects_ExitsZero()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        await using var listener = await ListenAsync(lab, new TcpServerEndpoint(lab.ServerIPv4, 0));
        await lab.WriteHostsAsync([(Name, lab.ServerIPv6), (Name, lab.ServerIPv4)]);

        var (result, json) = await CheckAsync(lab, Port(listener));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Expected((lab.ServerIPv6, "refused"), (lab.ServerIPv4, "connected")), Outcomes(json));
        Assert.Equal(
            "IPv6 refused: the IPv6 address refuses connections; IPv4 works; a Happy Eyeballs client falls back at once, and so does a sequential one",
            (string?)json["verdict"]);
    }

    [Fact]
    public async Task AllDead_EachAddressClassified_ExitsOne()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var deadIPv6 = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
        var deadIPv4 = lab.AddBlackholedAddress(AddressFamily.InterNetwork);
        // Nothing listens in the server namespace: its IPv4 address answers with a reset.
        await lab.WriteHostsAsync([(Name, deadIPv6), (Name, s_unroutedIPv6), (Name, lab.ServerIPv4), (Name, deadIPv4)]);

        var (result, json) = await CheckAsync(lab, 80, "--timeout", "1.5");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            Expected((deadIPv6, "timeout"), (s_unroutedIPv6, "unreachable"), (lab.ServerIPv4, "refused"), (deadIPv4, "timeout")),
            Outcomes(json));
        Assert.False((bool)json["ok"]!);
        Assert.Equal(
            "nothing works: both IPv6 addresses fail: 1 drops SYNs, 1 is unreachable; both IPv4 addresses fail: 1 drops SYNs, 1 refuses connections",
            (string?)json["verdict"]);
    }

    // Runs dualstack check in the client namespace and returns its JSON; the human output goes to the test's log.
    private static async Task<(ProcessResult Result, JsonNode Json)> CheckAsync(NetworkLab lab, int port, params string[] options)
    {
        string[] arguments = ["check", Name, port.ToString(CultureInfo.InvariantCulture), "--resolver", "hosts=/etc/hosts", .. options];
        var human = await lab.ExecAsync(lab.Client, CliRunner.CommandLine(arguments));
        TestContext.Current.TestOutputHelper?.WriteLine($"$ dualstack {string.Join(' ', arguments)}{Environment.NewLine}{human.StdOut}{human.StdErr}");
        var result = await lab.ExecAsync(lab.Client, CliRunner.CommandLine([.. arguments, "--json"]));
        Assert.Equal(result.ExitCode, human.ExitCode);
        return (result, CheckOutput.Parse(result));
    }

    private static SortedDictionary<string, string> Expected(params (IPAddress Address, string Outcome)[] addresses) =>
        new(addresses.ToDictionary(a => a.Address.ToString(), a => a.Outcome), StringComparer.Ordinal);

    private static SortedDictionary<string, string> Outcomes(JsonNode json) =>
        new(json["addresses"]!.AsArray().ToDictionary(a => (string)a!["address"]!, a => (string)a!["outcome"]!), StringComparer.Ordinal);

    private static async Task<IStreamListener> ListenAsync(NetworkLab lab, TcpServerEndpoint endpoint) =>
        await lab.Server.Run(() => endpoint.ListenAsync(TestContext.Current.CancellationToken).AsTask()).Bounded();

    private static int Port(IStreamListener listener) => listener.LocalEndPoints[0].Port;
}
