using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>dualstack check</c> as a black box on loopback. The name comes from a hosts file given with <c>--resolver</c>
/// (never from the system resolver, whose AAAA query for a name would leave the machine); its <c>::1</c> and
/// <c>127.0.0.1</c> on one port are made to listen, refuse (a socket bound there that does not listen) or drop SYNs
/// (a listener whose accept queue is full).
/// </summary>
public sealed class CheckTests : IDisposable
{
    private const string Name = "check.test";

    private readonly TempDirectory _directory = new();
    private readonly string _hostsFile;

    public CheckTests()
    {
        _hostsFile = _directory.File("hosts");
        File.WriteAllText(_hostsFile, $"::1 {Name}\n127.0.0.1 {Name}\n");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task IPv4ListensIPv6Refuses_ExitsZero_ClassifiesEachAddress_AndSaysIPv6Refused()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var port = LoopbackPort.Create(listenIPv4: true);

        var result = await RunAsync(port.Number);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StdErr);
        var lines = result.StdOutLines;
        Assert.Matches(@"^AAAA +1 address +\d+ ms$", lines[0]);
        Assert.Matches(@"^A +1 address +\d+ ms$", lines[1]);
        Assert.Matches(@"^::1 +refused +\d+ ms$", lines[2]);
        Assert.Matches(@"^127\.0\.0\.1 +connected +\d+ ms$", lines[3]);
        Assert.StartsWith("IPv6 refused: the IPv6 address refuses connections; IPv4 works; a Happy Eyeballs client falls back at once", string.Join(' ', lines.Skip(4)), StringComparison.Ordinal);
        Assert.All(lines, l => Assert.True(l.Length <= 60, $"'{l}' is wider than 60 columns"));
        // The address lines are aligned: the outcome starts in the same column on each.
        Assert.Equal(lines[2].IndexOf("refused", StringComparison.Ordinal), lines[3].IndexOf("connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_HasTheQueriesTheAddressesTheVerdictAndOk()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var port = LoopbackPort.Create(listenIPv4: true);

        var result = await RunAsync(port.Number, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = CheckOutput.Parse(result);
        Assert.Equal(
            ["verdict", "ok", "host", "port", "queries", "elapsed_ms", "addresses"],
            json.Select(p => p.Key));
        Assert.Equal((Name, port.Number, true), ((string?)json["host"], (int)json["port"]!, (bool)json["ok"]!));
        var queries = json["queries"]!.AsArray();
        Assert.Equal(["ipv6", "ipv4"], queries.Select(q => (string?)q!["family"]));
        Assert.All(queries, q =>
        {
            Assert.True((double)q!["elapsed_ms"]! >= 0);
            Assert.Null(q["error"]);
            Assert.Single(q["addresses"]!.AsArray());
        });
        Assert.Equal("::1", (string?)queries[0]!["addresses"]![0]!["address"]);
        var addresses = json["addresses"]!.AsArray();
        Assert.Equal(
            [("ipv6", "::1", "refused"), ("ipv4", "127.0.0.1", "connected")],
            addresses.Select(a => ((string?)a!["family"], (string?)a["address"], (string?)a["outcome"])));
        Assert.All(addresses, a =>
        {
            Assert.Equal(port.Number, (int)a!["port"]!);
            Assert.InRange((double)a["ms"]!, 0, 3000);
            Assert.False(a.AsObject().ContainsKey("tls"));
        });
        Assert.Contains("Connection refused", (string?)addresses[0]!["error"], StringComparison.Ordinal);
        Assert.Null(addresses[1]!["error"]);
        Assert.StartsWith("IPv6 refused: ", (string?)json["verdict"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllRefused_ExitsOne_AndSaysNothingWorks()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var port = LoopbackPort.Create(listenIPv4: false);

        var result = await RunAsync(port.Number, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"dualstack: no address of {Name} port {port.Number} works", Assert.Single(result.StdErrLines));
        var json = CheckOutput.Parse(result);
        Assert.False((bool)json["ok"]!);
        Assert.Equal(["refused", "refused"], json["addresses"]!.AsArray().Select(a => (string?)a!["outcome"]));
        Assert.Equal(
            "nothing works: the IPv6 address refuses connections; the IPv4 address refuses connections",
            (string?)json["verdict"]);
    }

    [Fact]
    public async Task IPv6DropsSyns_TimesOutAfterTheTimeout_AndSaysWhatClientsDo()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        using var port = LoopbackPort.Create(listenIPv4: true, dropIPv6: true);

        var result = await RunAsync(port.Number, "--timeout", "0.5", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = CheckOutput.Parse(result);
        var addresses = json["addresses"]!.AsArray();
        Assert.Equal(["timeout", "connected"], addresses.Select(a => (string?)a!["outcome"]));
        Assert.InRange((double)addresses[0]!["ms"]!, 450, 3000);
        Assert.Equal(
            "IPv6 broken: the IPv6 address drops SYNs; IPv4 works; a Happy Eyeballs client connects over IPv4 after its 250 ms attempt delay, a sequential client stalls until its timeout",
            (string?)json["verdict"]);
    }

    [Fact]
    public async Task FamilyFour_AsksOnlyForA_AndLeavesIPv6Unchecked()
    {
        using var port = LoopbackPort.Create(listenIPv4: true, bindIPv6: false);

        var result = await RunAsync(port.Number, "--family", "4", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = CheckOutput.Parse(result);
        Assert.Equal(["ipv4"], json["queries"]!.AsArray().Select(q => (string?)q!["family"]));
        Assert.Equal(["127.0.0.1"], json["addresses"]!.AsArray().Select(a => (string?)a!["address"]));
        Assert.Equal("healthy: IPv4 works; IPv6 not checked", (string?)json["verdict"]);
    }

    [Fact]
    public async Task UnknownName_ExitsOne_WithEachQuerysError()
    {
        var result = await CliRunner.RunAsync(["check", "nothing.test", "80", "--resolver", $"hosts={_hostsFile}", "--json"], Token);

        Assert.True(result.ExitCode == 1, result.ToString());
        var json = CheckOutput.Parse(result);
        Assert.All(json["queries"]!.AsArray(), q =>
        {
            Assert.Contains("NoSuchName", (string?)q!["error"], StringComparison.Ordinal);
            Assert.Empty(q["addresses"]!.AsArray());
        });
        Assert.Empty(json["addresses"]!.AsArray());
        Assert.Equal("nothing works: the name does not exist (NoSuchName)", (string?)json["verdict"]);
    }

    [Fact]
    public async Task Literal_IsTriedWithoutAQuery()
    {
        using var port = LoopbackPort.Create(listenIPv4: true, bindIPv6: false);

        var result = await CliRunner.RunAsync(["check", "127.0.0.1", Invariant(port.Number), "--json"], Token);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = CheckOutput.Parse(result);
        Assert.Empty(json["queries"]!.AsArray());
        Assert.Equal("connected", (string?)Assert.Single(json["addresses"]!.AsArray())!["outcome"]);
        Assert.Equal("healthy: IPv4 works", (string?)json["verdict"]);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("check", Name)]
    [InlineData("check", Name, "70000")]
    [InlineData("check", Name, "80", "--timeout", "0")]
    [InlineData("check", Name, "80", "--family", "5")]
    [InlineData("check", Name, "80", "--insecure")]
    [InlineData("check", Name, "80", "--tls", "--ca", "/nonexistent/ca.pem")]
    [InlineData("check", Name, "80", "--resolver", "bogus")]
    [InlineData("check", Name, "80", "--resolver", "hosts=/nonexistent/hosts")]
    [InlineData("check", "::1", "80", "--family", "4")]
    [InlineData("check", "bad name", "80")]
    [InlineData("check", Name, "80", "--bogus")]
    public async Task BadUsage_ExitsTwoWithOneLine(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, Token);

        CliAssert.UsageError(result);
    }

    private Task<ProcessResult> RunAsync(int port, params string[] options) =>
        CliRunner.RunAsync(["check", Name, Invariant(port), "--resolver", $"hosts={_hostsFile}", .. options], Token);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// One port on both loopback addresses: 127.0.0.1 listening (or only bound: refused), [::1] only bound (refused)
    /// or listening with a full accept queue (SYNs dropped). Binding both addresses also keeps anything else off them.
    /// </summary>
    private sealed class LoopbackPort : IDisposable
    {
        private readonly List<Socket> _sockets = [];

        private LoopbackPort()
        {
        }

        public int Number { get; private set; }

        public static LoopbackPort Create(bool listenIPv4, bool bindIPv6 = true, bool dropIPv6 = false)
        {
            // A port free on 127.0.0.1 may be taken on ::1: try a few.
            for (int tries = 0; ; tries++)
            {
                var port = new LoopbackPort();
                try
                {
                    var v4 = port.Bind(IPAddress.Loopback, 0);
                    port.Number = ((IPEndPoint)v4.LocalEndPoint!).Port;
                    if (listenIPv4)
                    {
                        v4.Listen();
                    }

                    if (bindIPv6)
                    {
                        var v6 = port.Bind(IPAddress.IPv6Loopback, port.Number);
                        if (dropIPv6)
                        {
                            port.Fill(v6);
                        }
                    }

                    return port;
                }
                catch (SocketException) when (tries < 10)
                {
                    port.Dispose();
                }
            }
        }

        public void Dispose()
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        private Socket Bind(IPAddress address, int port)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _sockets.Add(socket);
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }

        // Listens with a backlog of 0 and connects until a connect does not complete: from then on Linux drops every
        // SYN to it without an answer, as a network that loses the family's packets does (the demo command's trick).
        private void Fill(Socket listener)
        {
            listener.Listen(0);
            for (int i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
                _sockets.Add(filler);
                if (!filler.ConnectAsync(listener.LocalEndPoint!).Wait(TimeSpan.FromMilliseconds(200), Token))
                {
                    return;
                }
            }

            throw new InvalidOperationException("the accept queue of [::1] did not fill up");
        }
    }
}
