using System.Text.RegularExpressions;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// The programs in samples/: each is in the solution, is built with these tests (a project reference), and runs to
/// completion on loopback printing what its doc page says it does.
/// </summary>
public sealed partial class SamplesTests
{
    // What each sample must print; every sample in samples/ has an entry.
    private static readonly Dictionary<string, string[]> s_expected = new(StringComparer.Ordinal)
    {
        ["Addresses"] = ["endpoint 192.0.2.1:80", "unmapped 192.0.2.1", "error: invalid port in '[::1]:70000'"],
        ["AotSmoke"] = ["listening on ", "echoed 'hello by name' via ", "with CN=aot-smoke.test: echoed 'hello over tls'", "done"],
        ["Connect"] = ["connected to 127.0.0.1:", "failed: 2 attempts", "race on its own: 127.0.0.1:", "single address: 127.0.0.1:"],
        ["Datagrams"] = ["(dual-mode: True)", "server got 5 bytes from 127.0.0.1:", "reply from 127.0.0.1:", "port unreachable (ICMP)"],
        ["Descriptions"] = ["-> tcp://*:8080", "tls://example.com:443", "error in field 'port' at 12:", "server read 'hi'"],
        ["Http"] = ["handler: hello", "factory: hello", "metric dualstack.connect.duration > 0 s network.type=ipv4", "span dualstack.connect.attempt", "attempt delay 100 ms"],
        ["Listen"] = ["echoed: hello from InterNetwork", "stopped", "on 127.0.0.1: 127.0.0.1:"],
        ["QuickStart"] = ["server read: hello"],
        ["Resolve"] = ["app.test https:", "getnameinfo [::1]:443 -> host ::1, service 443", "nothing.test: NoSuchName:"],
        ["TlsQuickStart"] = ["the server saw SNI 'tls.example'", "server said: 220 go ahead", "upgraded "],
    };

    public static TheoryData<string> Samples => [.. s_expected.Keys];

    [Fact]
    public void EverySample_IsInTheSolutionAndHasExpectations()
    {
        var onDisk = Directory.GetDirectories(Path.Combine(CliRunner.RepoRoot, "samples"))
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);
        string solution = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "DualStack.slnx"));
        var inSolution = SolutionSample().Matches(solution).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);

        Assert.Equal(s_expected.Keys.Order(StringComparer.Ordinal), onDisk);
        Assert.Equal(onDisk, inSolution);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Sample_RunsOnLoopbackAndPrintsWhatItsPageSays(string sample)
    {
        // Built by this project's reference to samples/*/*.csproj, in the same configuration as the tests.
        string dll = Path.Combine(CliRunner.RepoRoot, "artifacts", "bin", sample, CliRunner.Configuration, sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built with the tests");

        var result = await ChildProcess.RunAsync(CliRunner.DotNetHost, [dll], TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.StdErr);
        Assert.All(s_expected[sample], expected => Assert.Contains(expected, result.StdOut, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"<Project Path=""samples/([^/""]+)/\1\.csproj"" />")]
    private static partial Regex SolutionSample();
}
