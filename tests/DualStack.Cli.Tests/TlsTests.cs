using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>connect --tls</c> and <c>listen --tls-cert</c> as a black box, against peers nobody here wrote: <c>openssl s_server</c>
/// as the server of our client and <c>openssl s_client</c> as the client of our listener, over IPv6 and IPv4. The
/// certificates come from a CA made in the test, written as PEM files to a temporary directory that is deleted after.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private const string Name = "tls.test";

    private readonly TestCertificates _ca = new();
    private readonly TempDirectory _directory = new();
    private readonly string _caFile;
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly string _hostsFile;

    public TlsTests()
    {
        (_caFile, _certificateFile, _keyFile) = _ca.WritePem(_directory.Path, _ca.Issue(Name, "127.0.0.1", "::1"));
        _hostsFile = _directory.File("hosts");
        File.WriteAllText(_hostsFile, $"::1 {Name}\n127.0.0.1 {Name}\n");
    }

    public void Dispose()
    {
        _ca.Dispose();
        _directory.Dispose();
    }

    public static TheoryData<string, string> Families => new() { { "6", "[::1]" }, { "4", "127.0.0.1" } };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Connect_Tls_ToOpensslServer_ValidatesTheNameAfterTheRace(string family, string address)
    {
        SkipUnlessIPv6(address);
        await using var server = await StartOpensslServerAsync(address);

        var result = await CliRunner.RunAsync(
            ["connect", Name, server.Port, "--family", family, "--resolver", $"hosts={_hostsFile}", "--tls", "--ca", _caFile, "--send", "hello openssl\n", "--json"],
            TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!;
        Assert.Equal($"{address}:{server.Port}", (string?)json["remote"]);
        Assert.Equal("lssnepo olleh\n", (string?)json["reply"]);   // s_server -rev answers each line reversed
        Assert.Equal(Name, (string?)json["tls"]!["server_name"]);
        Assert.Equal($"CN={Name}", (string?)json["tls"]!["certificate_subject"]);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Connect_Tls_ToAnAddressLiteral_ValidatesTheCertificatesIPAddress(string literal)
    {
        SkipUnlessIPv6(literal);
        await using var server = await StartOpensslServerAsync(literal.Contains(':', StringComparison.Ordinal) ? $"[{literal}]" : literal);

        var result = await CliRunner.RunAsync(["connect", literal, server.Port, "--tls", "--ca", _caFile, "--send", "abc\n", "--json"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!;
        Assert.Equal("cba\n", (string?)json["reply"]);
        Assert.Null(json["tls"]!["server_name"]);
    }

    [Fact]
    public async Task Connect_Tls_WithoutTheCa_FailsWithOneLineNamingHostAddressAndReason()
    {
        await using var server = await StartOpensslServerAsync("127.0.0.1");

        var result = await CliRunner.RunAsync(["connect", "127.0.0.1", server.Port, "--tls"], TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.StdErrLines);
        Assert.StartsWith($"dualstack: TLS handshake with 127.0.0.1 at 127.0.0.1:{server.Port} failed: the certificate is not trusted", error, StringComparison.Ordinal);
    }

    // Piping over TLS: standard input goes through the handshake's stream, its end is TLS's close_notify and then the
    // TCP half-close, and the reply comes out on standard output alone.
    [Fact]
    public async Task Connect_TlsWithStdinNotATerminal_PipesThroughTheTlsStream()
    {
        await using var server = await StartOpensslServerAsync("127.0.0.1");

        var (exitCode, stdout, stderr) = await PipeTests.RunCliAsync(["connect", "127.0.0.1", server.Port, "--tls", "--ca", _caFile], input: "abc\n");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("cba\n", stdout);
        Assert.Contains("tls TLSv1.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_TlsInsecure_AcceptsTheUntrustedCertificate()
    {
        await using var server = await StartOpensslServerAsync("127.0.0.1");

        var result = await CliRunner.RunAsync(["connect", "127.0.0.1", server.Port, "--tls", "--insecure", "--send", "x\n"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdOutLines, l => l.StartsWith("tls TLSv1.", StringComparison.Ordinal) && l.Contains($"certificate CN={Name}", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Listen_TlsCert_EchoesForOpensslClient_WhichVerifiesTheCertificate(string family, string address)
    {
        SkipUnlessIPv6(address);
        await using var server = CliRunner.Start(["listen", "tcp://*:0", "--tls-cert", _certificateFile, "--tls-key", _keyFile, "--json"]);
        int port = await ListeningPortAsync(server);

        string output = await RunOpensslClientAsync(
            ["-connect", $"{address}:{port}", $"-{family}", "-servername", Name, "-verify_hostname", Name, "-CAfile", _caFile, "-verify_return_error"],
            "hello from openssl");

        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        var accepted = JsonNode.Parse((await server.ReadLineAsync(TestContext.Current.CancellationToken))!)!;
        Assert.Equal("accepted", (string?)accepted["event"]);
        Assert.StartsWith(address, (string?)accepted["remote"], StringComparison.Ordinal);
        Assert.Equal(Name, (string?)accepted["tls"]!["server_name"]);
        var stopped = await server.StopAsync(PosixSignal.SIGINT, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, stopped.ExitCode);
        Assert.Empty(stopped.StdErr);
    }

    [Fact]
    public async Task Listen_TlsDescription_EchoesForOpensslClient_ConnectingToTheAddress()
    {
        await using var server = CliRunner.Start(["listen", $"tls://127.0.0.1:0?cert={_certificateFile}&key={_keyFile}", "--json"]);
        int port = await ListeningPortAsync(server);

        string output = await RunOpensslClientAsync(
            ["-connect", $"127.0.0.1:{port}", "-noservername", "-verify_ip", "127.0.0.1", "-CAfile", _caFile, "-verify_return_error"],
            "by address");

        Assert.Contains("Verify return code: 0 (ok)", output, StringComparison.Ordinal);
        Assert.Equal(0, (await server.StopAsync(TestContext.Current.CancellationToken)).ExitCode);
    }

    [Fact]
    public async Task ConnectTls_ToListenTls_OverBothFamiliesByName()
    {
        await using var server = CliRunner.Start(["listen", "tcp://*:0", "--tls-cert", _certificateFile, "--tls-key", _keyFile, "--json"]);
        int port = await ListeningPortAsync(server);

        foreach (var (family, remote) in new[] { ("6", $"[::1]:{port}"), ("4", $"127.0.0.1:{port}") })
        {
            if (family == "6" && !IPv6Support.IsLoopbackAvailable)
            {
                continue;
            }

            var result = await CliRunner.RunAsync(
                ["connect", Name, port.ToString(CultureInfo.InvariantCulture), "--family", family, "--resolver", $"hosts={_hostsFile}", "--tls", "--ca", _caFile, "--send", "round trip", "--json"],
                TestContext.Current.CancellationToken);
            Assert.True(result.ExitCode == 0, result.ToString());
            var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!;
            Assert.Equal((remote, "round trip"), ((string?)json["remote"], (string?)json["reply"]));
        }

        Assert.Equal(0, (await server.StopAsync(TestContext.Current.CancellationToken)).ExitCode);
    }

    [Fact]
    public async Task Check_Tls_ReportsTheHandshakeOfEachAddressThatConnects()
    {
        SkipUnlessIPv6("::1");
        await using var server = await StartOpensslServerAsync("127.0.0.1");

        var result = await CliRunner.RunAsync(
            ["check", Name, server.Port, "--resolver", $"hosts={_hostsFile}", "--tls", "--ca", _caFile, "--json"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        var addresses = CheckOutput.Parse(result)["addresses"]!.AsArray();
        Assert.Equal(("::1", "refused"), ((string?)addresses[0]!["address"], (string?)addresses[0]!["outcome"]));
        Assert.Null(addresses[0]!["tls"]);
        Assert.Equal(("127.0.0.1", "connected"), ((string?)addresses[1]!["address"], (string?)addresses[1]!["outcome"]));
        var tls = addresses[1]!["tls"]!;
        Assert.Equal(("ok", Name, $"CN={Name}"), ((string?)tls["outcome"], (string?)tls["server_name"], (string?)tls["certificate_subject"]));
        Assert.StartsWith("TLSv1.", (string?)tls["protocol"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Tls_WithoutTheCa_ExitsOne_AndSaysTheHandshakeFails()
    {
        await using var server = await StartOpensslServerAsync("127.0.0.1");

        var result = await CliRunner.RunAsync(["check", "127.0.0.1", server.Port, "--tls", "--json"], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 1, result.ToString());
        var json = CheckOutput.Parse(result);
        var address = Assert.Single(json["addresses"]!.AsArray())!;
        Assert.Equal(("connected", "failed"), ((string?)address["outcome"], (string?)address["tls"]!["outcome"]));
        Assert.Contains("the certificate is not trusted", (string?)address["tls"]!["error"], StringComparison.Ordinal);
        Assert.Equal("nothing works: the IPv4 address fails the TLS handshake", (string?)json["verdict"]);
    }

    [Theory]
    [InlineData("connect", "localhost", "443", "--insecure")]
    [InlineData("connect", "localhost", "443", "--ca", "/nonexistent/ca.pem")]
    [InlineData("connect", "localhost", "443", "--tls", "--ca", "/nonexistent/ca.pem")]
    [InlineData("listen", "tcp://127.0.0.1:0", "--tls-cert", "/nonexistent/server.pem")]
    [InlineData("listen", "tcp://127.0.0.1:0", "--tls-key", "/nonexistent/server.key")]
    [InlineData("listen", "tls://127.0.0.1:0")]
    [InlineData("listen", "tls://127.0.0.1:0?cert=a.pem&alpn=")]
    public async Task BadTlsInput_ExitsTwoWithOneLine(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(arguments, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("dualstack: ", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_TlsDescriptionWithMissingFile_ExitsOneNamingTheFile()
    {
        var result = await CliRunner.RunAsync(["listen", "tls://127.0.0.1:0?cert=/nonexistent/server.pem"], TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/nonexistent/server.pem", Assert.Single(result.StdErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tls://example.com:443?alpn=h2", "client", "tls-client", "tls:host=example.com:port=443:alpn=h2")]
    [InlineData("tls:8443:certKey=server.pem:privateKey=server.key", "server", "tls-server", "tls:8443:certKey=server.pem:privateKey=server.key")]
    public async Task Describe_Tls_ShowsBothSyntaxes(string description, string role, string kind, string twisted)
    {
        var result = await CliRunner.RunAsync(["describe", description, "--json"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(Assert.Single(result.StdOutLines))!;
        Assert.Equal((role, kind, twisted), ((string?)json["role"], (string?)json["kind"], (string?)json["twisted"]));
    }

    private static void SkipUnlessIPv6(string address)
    {
        if (address.Contains(':', StringComparison.Ordinal) && !IPv6Support.IsLoopbackAvailable)
        {
            Assert.Skip("IPv6 loopback (::1) cannot be bound on this machine");
        }
    }

    private static string Openssl()
    {
        string? path = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "openssl")).FirstOrDefault(File.Exists);
        if (path is null)
        {
            Assert.Skip("openssl is not installed");
        }

        return path;
    }

    // openssl s_server on ADDRESS:0, one connection, answering each line reversed (-rev); its port read from "ACCEPT".
    private async Task<OpensslServer> StartOpensslServerAsync(string address)
    {
        var process = ChildProcess.Start(Openssl(), ["s_server", "-accept", $"{address}:0", "-cert", _certificateFile, "-key", _keyFile, "-rev", "-naccept", "1"]);
        while (await process.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.StartsWith("ACCEPT ", StringComparison.Ordinal))
            {
                return new OpensslServer(process, line[(line.LastIndexOf(':') + 1)..]);
            }
        }

        await process.DisposeAsync();
        throw new InvalidOperationException("openssl s_server ended without accepting");
    }

    // openssl s_client: writes a line, waits for it to come back, then closes its input so that it ends the TLS
    // session (close_notify) and exits. Returns everything it printed.
    private static async Task<string> RunOpensslClientAsync(string[] arguments, string line)
    {
        var start = new ProcessStartInfo(Openssl())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("s_client");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var output = new System.Text.StringBuilder();
        try
        {
            await process.StandardInput.WriteLineAsync(line);
            await process.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
            while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().Bounded() is { } received)
            {
                output.AppendLine(received);
                if (received == line)
                {
                    break;
                }
            }

            if (!output.ToString().Contains(line, StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"no echo from our listener; s_client wrote: {output} {await stderr.Bounded()}");
            }

            process.StandardInput.Close();
            output.Append(await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken).Bounded());
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).Bounded();
            string errors = await stderr.Bounded();
            Assert.True(process.ExitCode == 0, $"openssl s_client exited {process.ExitCode}: {errors}");
            return output.ToString();
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<int> ListeningPortAsync(ChildProcess server)
    {
        var listening = JsonNode.Parse((await server.ReadLineAsync(TestContext.Current.CancellationToken))!)!;
        Assert.Equal("listening", (string?)listening["event"]);
        string endpoint = (string)listening["endpoints"]![0]!;
        return int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    private sealed class OpensslServer(ChildProcess process, string port) : IAsyncDisposable
    {
        public string Port { get; } = port;

        public ValueTask DisposeAsync() => process.DisposeAsync();
    }
}
