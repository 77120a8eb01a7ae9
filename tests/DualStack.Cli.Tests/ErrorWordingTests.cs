using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// One wording and one exit-code policy for every range and format error, literals accepted (or precisely diagnosed)
/// wherever a host is taken, and with <c>--json</c> every failure as one JSON object on stdout too.
/// </summary>
public sealed class ErrorWordingTests
{
    [Theory]
    [InlineData(new[] { "connect", "example.com", "abc" }, "dualstack: connect: argument 'abc' is not a whole number")]
    [InlineData(new[] { "connect", "example.com", "80", "--attempt-delay", "abc" }, "dualstack: --attempt-delay 'abc' is not a whole number")]
    [InlineData(new[] { "connect", "example.com", "80", "--family", "5" }, "dualstack: '5' is not one of any, 4, 6")]
    [InlineData(new[] { "connect", "example.com", "70000" }, "dualstack: port '70000' is out of range (0-65535)")]
    [InlineData(new[] { "connect", "example.com", "80", "--attempt-delay", "5" }, "dualstack: --attempt-delay '5' is out of range (10-2000)")]
    [InlineData(new[] { "connect", "example.com", "80", "--timeout", "0" }, "dualstack: --timeout '0' is out of range (more than 0, at most 86400 seconds)")]
    [InlineData(new[] { "udp", "send", "::1", "9", "x", "--timeout", "0" }, "dualstack: --timeout '0' is out of range (more than 0, at most 86400 seconds)")]
    [InlineData(new[] { "resolve", "127.0.0.1", "70000" }, "dualstack: cannot resolve '127.0.0.1': port '70000' is out of range (0-65535) (BadService)")]
    [InlineData(new[] { "describe", "tcp://example.com:80?attemptDelay=5" }, "'5' is out of range (0.01-2 seconds)")]
    public async Task BadNumbers_ExitTwo_WithOneWording(string[] arguments, string expected)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        var line = CliAssert.UsageError(result);
        Assert.DoesNotContain("\t", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        if (expected.StartsWith("dualstack: ", StringComparison.Ordinal))
        {
            Assert.Equal(expected, line);
        }
        else
        {
            Assert.EndsWith(expected, line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("connect")]
    [InlineData("resolve")]
    [InlineData("udp")]
    public async Task ZonedLiteralWithAnUnknownInterface_SaysSo_WhereverAHostIsTaken(string command)
    {
        string[] arguments = command switch
        {
            "connect" => ["connect", "fe80::1%nosuchif0", "80"],
            "resolve" => ["resolve", "fe80::1%nosuchif0", "80"],
            _ => ["udp", "send", "fe80::1%nosuchif0", "80", "x"],
        };

        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, "no interface named 'nosuchif0'");
    }

    [Fact]
    public async Task BracketedLiteral_IsTakenAsTheAddress()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen();
        string port = ((IPEndPoint)listener.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var connected = await CliRunner.RunAsync(["connect", "[::1]", port, "--json"], TestContext.Current.CancellationToken);
        var resolved = await CliRunner.RunAsync(["resolve", "[::1]", port], TestContext.Current.CancellationToken);

        Assert.True(connected.ExitCode == 0, connected.ToString());
        Assert.Contains($"\"remote\":\"[::1]:{port}\"", connected.StdOut, StringComparison.Ordinal);
        Assert.True(resolved.ExitCode == 0, resolved.ToString());
        Assert.StartsWith("ipv6  ::1 ", resolved.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "listen", "tcp://192.0.2.1:0", "--json" }, 1)]
    [InlineData(new[] { "resolve", "example.com", "80", "--resolver", "hosts=/nonexistent/hosts", "--json" }, 2)]
    [InlineData(new[] { "describe", "tcp://[::1", "--json" }, 2)]
    [InlineData(new[] { "connect", "example.com", "70000", "--json" }, 2)]
    public async Task Json_EveryFailure_WritesOneErrorObjectOnStdout(string[] arguments, int exitCode)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        CliAssert.Error(result, exitCode, quoted: null, json: true);
    }
}
