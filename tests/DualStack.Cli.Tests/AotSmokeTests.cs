using System.Text.RegularExpressions;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// The library under Native AOT: samples/AotSmoke published with <c>-p:PublishAot=true</c> into a temporary artifacts
/// folder must compile with no trimming or AOT warning, then run natively (listen, connect by name, TLS) and exit 0.
/// </summary>
[Collection(RebuildsRepository.Name)]
public sealed partial class AotSmokeTests
{
    // About a minute and a half on two idle cores; at nice 10 beside a process that keeps both cores busy, the native
    // compile gets a small share of the CPU and took over 5 minutes. A bound, not a benchmark.
    private static readonly TimeSpan s_publishTimeout = TimeSpan.FromMinutes(20);

    [Fact]
    public async Task PublishAot_SampleUsingTheLibrary_HasNoWarningsAndRunsNatively()
    {
        if (NativeToolchain.Missing is { } missing)
        {
            Assert.Skip(missing);
        }

        var cancellationToken = TestContext.Current.CancellationToken;
        using var directory = new TempDirectory();
        string artifacts = directory.File("artifacts");

        var publish = await PackedRepository.DotNetBuildAsync(
            ["publish", Path.Combine(CliRunner.RepoRoot, "samples", "AotSmoke"), "-c", "Release", "-p:PublishAot=true", $"-p:ArtifactsPath={artifacts}"],
            s_publishTimeout,
            cancellationToken);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.DoesNotMatch(TrimOrAotWarning(), publish.StdOut);
        Assert.DoesNotMatch(AnyWarning(), publish.StdOut);
        string executable = Assert.Single(Directory.GetFiles(Path.Combine(artifacts, "publish", "AotSmoke"), "AotSmoke", SearchOption.AllDirectories));

        // Nothing to find a .NET runtime with: a native executable needs none.
        var run = await ChildProcess.RunAsync(
            executable, [], new Dictionary<string, string?> { ["DOTNET_ROOT"] = null }, TaskTimeoutExtensions.DefaultTimeout, cancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.StdErr);
        Assert.Contains("compiled ahead of time: True", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("echoed 'hello by name' via ", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("with CN=aot-smoke.test: echoed 'hello over tls'", run.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("done", run.StdOut.TrimEnd(), StringComparison.Ordinal);
    }

    // The trimming (IL2xxx) and Native AOT (IL3xxx) analysis codes, as MSBuild prints them.
    [GeneratedRegex(@"\bIL[23]\d{3}\b")]
    private static partial Regex TrimOrAotWarning();

    [GeneratedRegex(@"\bwarning [A-Z]+\d+", RegexOptions.IgnoreCase)]
    private static partial Regex AnyWarning();
}
