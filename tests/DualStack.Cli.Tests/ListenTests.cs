using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary><c>dualstack listen</c> as a black box, with peers nobody here wrote: socat and Python's documented echo client.</summary>
public sealed class ListenTests
{
    [Fact]
    public async Task Listen_Star_EchoesForSocatOverBothFamilies_AndReportsEachPeerInItsFamily()
    {
        await using var server = CliRunner.Start(["listen", "tcp://*:0", "--json"]);
        int port = await ListeningPortAsync(server);

        foreach (var (family, address) in new[] { ("TCP4", "127.0.0.1"), ("TCP6", "[::1]") })
        {
            var reply = await RunPeerAsync("socat", ["-t", "2", "-", $"{family}:{address}:{port}"], input: $"hello over {family}\n");
            Assert.Equal($"hello over {family}\n", reply);
            var accepted = JsonNode.Parse((await server.ReadLineAsync(TestContext.Current.CancellationToken))!)!;
            Assert.Equal("accepted", (string?)accepted["event"]);
            Assert.StartsWith(address, (string?)accepted["remote"], StringComparison.Ordinal);
        }

        var stopped = await server.StopAsync(PosixSignal.SIGINT, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, stopped.ExitCode);
        Assert.Empty(stopped.StdErr);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public async Task Listen_Star_EchoesForPythonsDocumentedEchoClient(string host)
    {
        await using var server = CliRunner.Start(["listen", "tcp://*:0", "--json"]);
        int port = await ListeningPortAsync(server);

        var output = await RunPeerAsync("python3", [Path.Combine(AppContext.BaseDirectory, "Peers", "echo_client.py"), host, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], input: null);

        Assert.Equal("Received b'Hello, world'\n", output);
        var stopped = await server.StopAsync(PosixSignal.SIGTERM, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, stopped.ExitCode);
    }

    // A shell starts background jobs with SIGINT ignored; such a listener goes on serving after a SIGINT, and must still
    // stop, and exit 0, on SIGTERM.
    [Fact]
    public async Task Listen_StartedWithSigintIgnored_ServesOnAfterSigint_AndExitsZeroOnSigterm()
    {
        string command = string.Join(' ', CliRunner.CommandLine("listen", "tcp://127.0.0.1:0", "--json").Select(a => $"'{a}'"));
        await using var server = ChildProcess.Start("sh", ["-c", $"trap '' INT; exec {command}"]);
        int port = await ListeningPortAsync(server);

        Assert.True(server.Signal(PosixSignal.SIGINT));
        var reply = await RunPeerAsync("socat", ["-t", "2", "-", $"TCP4:127.0.0.1:{port}"], input: "still here\n");
        Assert.Equal("still here\n", reply);

        var stopped = await server.StopAsync(PosixSignal.SIGTERM, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, stopped.ExitCode);
    }

    [Fact]
    public async Task Listen_LoopbackInterface_ListsBothLoopbackAddressesOnOnePort()
    {
        await using var server = CliRunner.Start(["listen", "tcp://lo:0", "--json"]);

        var listening = JsonNode.Parse((await server.ReadLineAsync(TestContext.Current.CancellationToken))!)!;
        var endpoints = listening["endpoints"]!.AsArray().Select(e => (string)e!).ToList();
        Assert.Contains(endpoints, e => e.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.StartsWith("[::1]:", StringComparison.Ordinal));
        Assert.Single(endpoints.Select(e => e[(e.LastIndexOf(':') + 1)..]).Distinct());
        Assert.Equal(0, (await server.StopAsync(TestContext.Current.CancellationToken)).ExitCode);
    }

    [Fact]
    public async Task Listen_PortTaken_ExitsOneWithOneLineNamingTheAddress()
    {
        await using var first = CliRunner.Start(["listen", "tcp://127.0.0.1:0", "--json"]);
        int port = await ListeningPortAsync(first);

        var second = await CliRunner.RunAsync(["listen", $"tcp://lo:{port}", "--json"], TestContext.Current.CancellationToken);

        string error = CliAssert.Error(second, 1, quoted: null, json: true);
        Assert.StartsWith("dualstack: cannot listen on tcp://lo:", error, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_UnknownInterface_ExitsTwo()
    {
        var result = await CliRunner.RunAsync(["listen", "tcp://nosuchif0:80"], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nosuchif0", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    private static async Task<int> ListeningPortAsync(ChildProcess server)
    {
        var listening = JsonNode.Parse((await server.ReadLineAsync(TestContext.Current.CancellationToken))!)!;
        Assert.Equal("listening", (string?)listening["event"]);
        string endpoint = (string)listening["endpoints"]![0]!;
        return int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    // Runs a peer program; skips the test when the program is not installed (.ci/run installs socat).
    private static async Task<string> RunPeerAsync(string program, string[] arguments, string? input)
    {
        string? path = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Skip($"{program} is not installed");
        }

        var start = new System.Diagnostics.ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        string output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken).Bounded();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
        return output;
    }
}
