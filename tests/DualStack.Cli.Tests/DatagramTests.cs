using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>dualstack udp</c> and <c>dualstack mcast</c> on loopback as a black box; the peers are plain .NET sockets
/// written the way anyone would. Multicast itself needs a link with multicast, so it is tested in the lab tier.
/// </summary>
public sealed class DatagramTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("udp://[::1]:0", "::1")]
    [InlineData("udp://127.0.0.1:0", "127.0.0.1")]
    [InlineData("udp://*:0", "127.0.0.1")]
    [InlineData("udp://*:0", "::1")]
    public async Task UdpListen_EchoesForUdpSend_AndReportsBothEnds(string description, string address)
    {
        await using var server = CliRunner.Start(["udp", "listen", description, "--json"]);
        int port = await ListeningPortAsync(server);

        var result = await CliRunner.RunAsync(["udp", "send", address, Invariant(port), "hello", "--json"], Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        var reply = JsonNode.Parse(Assert.Single(result.StdOutLines))!;
        string listener = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";
        Assert.Equal("datagram", (string?)reply["event"]);
        Assert.Equal(listener, (string?)reply["from"]);
        Assert.Equal("hello", (string?)reply["data"]);
        Assert.Equal(5, (int)reply["bytes"]!);

        var seen = JsonNode.Parse((await server.ReadLineAsync(Token))!)!;
        Assert.Equal("datagram", (string?)seen["event"]);
        Assert.Equal(listener, (string?)seen["to"]);
        Assert.Equal((string?)reply["to"], (string?)seen["from"]);
        Assert.Equal(5, (int)seen["bytes"]!);

        var stopped = await server.StopAsync(PosixSignal.SIGTERM, TimeSpan.FromSeconds(10), Token);
        Assert.Equal(0, stopped.ExitCode);
        Assert.Empty(stopped.StdErr);
    }

    [Fact]
    public async Task UdpListen_AnswersAPlainSocket_FromItsOwnAddressAndPort()
    {
        await using var server = CliRunner.Start(["udp", "listen", "udp://[::1]:0", "--json"]);
        int port = await ListeningPortAsync(server);

        using var peer = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await peer.SendToAsync("plain"u8.ToArray(), new IPEndPoint(IPAddress.IPv6Loopback, port), Token);
        var buffer = new byte[16];
        var received = await peer.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), Token).AsTask().Bounded();

        Assert.Equal("plain"u8.ToArray(), buffer[..received.ReceivedBytes]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, port), received.RemoteEndPoint);
        Assert.Equal(0, (await server.StopAsync(Token)).ExitCode);
    }

    [Fact]
    public async Task UdpSend_Connected_ToAClosedPort_ExitsOneNamingPortUnreachable()
    {
        int closed = ClosedPort();
        var result = await CliRunner.RunAsync(["udp", "send", "::1", Invariant(closed), "anyone?", "--connect"], Token);

        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.StdErrLines);
        Assert.StartsWith("dualstack: ", line, StringComparison.Ordinal);
        Assert.Contains("port unreachable", line, StringComparison.Ordinal);
        Assert.Contains($"[::1]:{closed}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UdpSend_Unconnected_NoReply_ExitsOneAfterTheTimeout()
    {
        int closed = ClosedPort();
        var result = await CliRunner.RunAsync(["udp", "send", "::1", Invariant(closed), "anyone?", "--timeout", "0.2", "--json"], Token);

        Assert.Equal($"dualstack: no reply from [::1]:{closed} within 0.2 s", CliAssert.Error(result, 1, quoted: null, json: true));
    }

    [Theory]
    [InlineData(new[] { "udp", "listen", "tcp://*:0" }, "'tcp' is not a datagram kind")]
    [InlineData(new[] { "udp", "listen", "udp://nosuchif0:53" }, "nosuchif0")]
    [InlineData(new[] { "udp", "send", "::1", "0", "x" }, "port '0' is out of range (1-65535)")]
    [InlineData(new[] { "udp", "send", "::1", "53", "x", "--bind", "127.0.0.1" }, "--bind is ipv4")]
    [InlineData(new[] { "udp", "send", "::1", "53", "x", "--bind", "nonsense" }, "'nonsense'")]
    [InlineData(new[] { "mcast", "send", "10.0.0.1", "5000", "x", "--interface", "lo" }, "'10.0.0.1' is not a multicast address")]
    [InlineData(new[] { "mcast", "send", "ff02::1", "5000", "x", "--interface", "nosuchif0" }, "'nosuchif0'")]
    [InlineData(new[] { "mcast", "send", "ff02::1", "5000", "x", "--interface", "lo", "--hops", "256" }, "--hops '256' is out of range (0-255)")]
    [InlineData(new[] { "mcast", "listen", "ff02::1", "5000" }, "--interface")]
    [InlineData(new[] { "mcast", "listen", "ff02::1", "5000", "--interface", "lo", "--source", "127.0.0.1" }, "127.0.0.1")]
    public async Task BadInput_ExitsTwoWithOneLine(string[] arguments, string quoted)
    {
        var result = await CliRunner.RunAsync(arguments, Token);
        CliAssert.UsageError(result, quoted);
    }

    [Fact]
    public async Task McastSend_OnAnInterfaceWithoutMulticast_ExitsOneWithTheOsReason()
    {
        // lo has no MULTICAST flag here: the OS refuses, and that is an operation failure, not bad input.
        var result = await CliRunner.RunAsync(["mcast", "send", "ff02::1:3", "5355", "x", "--interface", "lo"], Token);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("dualstack: UDP send with [ff02::1:3]:5355 failed", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    private static async Task<int> ListeningPortAsync(ChildProcess server)
    {
        var listening = JsonNode.Parse((await server.ReadLineAsync(Token))!)!;
        Assert.Equal("listening", (string?)listening["event"]);
        string endpoint = (string)Assert.Single(listening["endpoints"]!.AsArray())!;
        return int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    // A UDP port on ::1 that was just free: bound, read, closed.
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
