using System.Diagnostics;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// netcat-style piping as a black box: <c>connect</c> with standard input not a terminal, and <c>listen --once</c>, each
/// against a peer nobody here wrote the networking of (Python's socket module, socat). Data goes through the pipes,
/// status to standard error.
/// </summary>
public sealed class PipeTests
{
    // Accepts one connection, reads to the end, answers with the text upper-cased, and closes.
    private const string UpperCaseServer = """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0)); s.listen(1)
        print(s.getsockname()[1], flush=True)
        c, _ = s.accept()
        data = b""
        while chunk := c.recv(4096):
            data += chunk
        c.sendall(data.upper()); c.close()
        """;

    [Fact]
    public async Task Connect_StdinNotATerminal_SendsStdinAndWritesTheReplyToStdout_WithStatusOnStderr()
    {
        using var server = StartProgram("python3", ["-c", UpperCaseServer]);
        string port = (await server.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().Bounded())!;

        var (exitCode, stdout, stderr) = await RunCliAsync(["connect", "127.0.0.1", port], input: "hello\nworld\n");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("HELLO\nWORLD\n", stdout);
        Assert.StartsWith($"connected to 127.0.0.1:{port} over ipv4", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListenOnce_PipesOneConnectionBothWays_WithStatusOnStderr()
    {
        using var cli = StartProgram(CliRunner.CommandLine()[0], [.. CliRunner.CommandLine()[1..], "listen", "tcp://127.0.0.1:0", "--once", "--json"]);
        await cli.StandardInput.WriteAsync("from the server\n");
        cli.StandardInput.Close();
        var listening = JsonNode.Parse((await cli.StandardError.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().Bounded())!)!;
        string endpoint = (string)listening["endpoints"]![0]!;
        string port = endpoint[(endpoint.LastIndexOf(':') + 1)..];

        using var peer = StartProgram("socat", ["-t", "3", "-", $"TCP4:127.0.0.1:{port}"]);
        await peer.StandardInput.WriteAsync("from the client\n");
        peer.StandardInput.Close();
        string peerGot = await peer.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken).Bounded();
        string cliGot = await cli.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken).Bounded();
        await cli.WaitForExitAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal("from the server\n", peerGot);
        Assert.Equal("from the client\n", cliGot);
        Assert.Equal(0, cli.ExitCode);
        var accepted = JsonNode.Parse((await cli.StandardError.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().Bounded())!)!;
        Assert.Equal("accepted", (string?)accepted["event"]);
    }

    /// <summary>Runs <c>dualstack ARGS…</c> with <paramref name="input"/> as its standard input, to completion.</summary>
    internal static async Task<(int ExitCode, string StdOut, string StdErr)> RunCliAsync(string[] arguments, string input)
    {
        string[] command = CliRunner.CommandLine(arguments);
        using var process = StartProgram(command[0], command[1..]);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).Bounded();
        return (process.ExitCode, await stdout, await stderr);
    }

    // Starts a program with all three streams redirected; skips the test when it is not installed (.ci/run installs socat).
    private static Process StartProgram(string program, string[] arguments)
    {
        string? path = File.Exists(program) ? program
            : Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Skip($"{program} is not installed");
        }

        var start = new ProcessStartInfo(path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }
}
