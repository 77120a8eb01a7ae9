using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary><c>dualstack connect</c> and <c>dualstack demo</c> as a black box on loopback.</summary>
public sealed class ConnectTests
{
    [Fact]
    public async Task Demo_Json_IPv4WinsAfterTheSilentIPv6AttemptWellUnderASecond()
    {
        var result = await CliRunner.RunAsync(["demo", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!.AsObject();
        Assert.True((bool)json["connected"]!);
        Assert.Equal("ipv4", (string?)json["family"]);
        var attempts = json["attempts"]!.AsArray();
        Assert.Equal(["ipv6", "ipv4"], attempts.Select(a => (string?)a!["family"]));
        Assert.Equal(["cancelled", "connected"], attempts.Select(a => (string?)a!["outcome"]));
        double started = (double)attempts[1]!["started_ms"]!;
        Assert.InRange(started, 240, 500);
        Assert.InRange((double)attempts[1]!["ended_ms"]!, started, 1000);
        Assert.Equal("hello over whichever family works", (string?)json["reply"]);
    }

    [Fact]
    public async Task Demo_Human_DrawsTheTimelineAndNamesTheWinner()
    {
        var result = await CliRunner.RunAsync(["demo"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.StdOutLines, l => l.Contains("[::1]:", StringComparison.Ordinal) && l.Contains("cancelled", StringComparison.Ordinal));
        Assert.Contains(result.StdOutLines, l => l.StartsWith("connected to 127.0.0.1:", StringComparison.Ordinal) && l.Contains("over ipv4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_LiteralWithSend_PrintsTheReplyAndOneAttempt()
    {
        await using var listener = await new EchoListener().StartAsync();

        var result = await CliRunner.RunAsync(["connect", "127.0.0.1", listener.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--send", "ping", "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!.AsObject();
        Assert.Equal($"127.0.0.1:{listener.Port}", (string?)json["remote"]);
        Assert.Equal("ping", (string?)json["reply"]);
        Assert.Single(json["attempts"]!.AsArray());
    }

    [Fact]
    public async Task Connect_Refused_ExitsOneWithJsonAndOneErrorLine()
    {
        int port = FreePort();

        var result = await CliRunner.RunAsync(["connect", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!.AsObject();
        Assert.False((bool)json["connected"]!);
        Assert.Equal("failed", (string?)json["attempts"]![0]!["outcome"]);
        var error = Assert.Single(result.StdErrLines);
        Assert.StartsWith("dualstack: the only attempt to connect to 127.0.0.1:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_UnknownName_ExitsOneNamingTheHostAndTheCode()
    {
        var result = await CliRunner.RunAsync(["connect", "nonexistent.invalid", "80"], TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.StdErrLines);
        Assert.Contains("nonexistent.invalid", error, StringComparison.Ordinal);
        Assert.Contains("NoSuchName", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--attempt-delay", "5")]
    [InlineData("--attempt-delay", "3000")]
    [InlineData("--resolution-delay", "-1")]
    [InlineData("--timeout", "0")]
    [InlineData("--bind", "[::1")]
    [InlineData("--policy", "random")]
    public async Task Connect_BadOption_ExitsTwo(string option, string value)
    {
        var result = await CliRunner.RunAsync(["connect", "127.0.0.1", "1", option, value], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("dualstack: ", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_BindOfTheOtherFamily_ExitsTwoBeforeConnecting()
    {
        var result = await CliRunner.RunAsync(["connect", "::1", "1", "--bind", "127.0.0.1"], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("127.0.0.1", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>A plain socket echo server on 127.0.0.1, written without DualStack: the CLI's peer.</summary>
    private sealed class EchoListener : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public Task<EchoListener> StartAsync()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen();
            _loop = LoopAsync();
            return Task.FromResult(this);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var peer = await _listener.AcceptAsync(_stop.Token);
                var buffer = new byte[1024];
                int read;
                while ((read = await peer.ReceiveAsync(buffer, _stop.Token)) > 0)
                {
                    await peer.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
    }
}
