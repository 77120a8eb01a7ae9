using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// The repository packed as a user would pack it, once for all the package tests: <c>dotnet pack -c Release</c> at the
/// root (the libraries and the top-level <c>dualstack</c> tool package), then the tool's package for this machine's RID
/// (<c>dotnet pack src/DualStack.Cli -c Release -r RID</c>, Native AOT) and its framework-dependent fallback
/// (<c>-r any -p:PublishAot=false</c>); into a temporary artifacts folder (never the one the running tests come from),
/// with a version of its own.
/// </summary>
/// <remarks>
/// A version used nowhere else keeps NuGet's caches out of it: no install can pick up a <c>dualstack</c> package cached
/// by an earlier run. The builds run at low priority (<c>nice</c>) so that the timing tests running beside them keep
/// their CPU; they take about 90 s on two cores, most of it the native compile.
/// </remarks>
public sealed class PackedRepository : IAsyncLifetime
{
    // About a minute and a half on two idle cores; at nice 10 beside a process that keeps both cores busy, the native
    // compile gets a small share of the CPU and took over 5 minutes. A bound, not a benchmark.
    private static readonly TimeSpan s_packTimeout = TimeSpan.FromMinutes(20);

    private readonly TempDirectory _directory = new();

    private readonly List<ProcessResult> _packResults = [];

    /// <summary>The version every package of this pack has: a prerelease of 0.0.0 unique to this run.</summary>
    public string Version { get; } = string.Create(
        CultureInfo.InvariantCulture, $"0.0.0-test.{Environment.ProcessId}.{DateTime.UtcNow:yyyyMMddHHmmssfff}");

    /// <summary>The temporary folder holding the pack's artifacts and anything a test makes beside them.</summary>
    public TempDirectory Directory => _directory;

    /// <summary>Where the packages went: <c>artifacts/package/release</c> under the temporary artifacts folder.</summary>
    public string PackageDirectory => Path.Combine(_directory.Path, "artifacts", "package", "release");

    /// <summary>The RID of the native tool package packed here (this machine's), unless <see cref="NativeToolchain.Missing"/>.</summary>
    public string RuntimeIdentifier { get; } = RuntimeInformation.RuntimeIdentifier;

    /// <summary>What each <c>dotnet pack</c> wrote, for assertion messages.</summary>
    public IReadOnlyList<ProcessResult> PackResults => _packResults;

    /// <summary>The path of the package <paramref name="id"/> of this pack.</summary>
    public string Package(string id) => Path.Combine(PackageDirectory, $"{id}.{Version}.nupkg");

    public async ValueTask InitializeAsync()
    {
        string cli = Path.Combine(CliRunner.RepoRoot, "src", "DualStack.Cli");
        await PackAsync(Path.Combine(CliRunner.RepoRoot, "DualStack.slnx"));
        if (NativeToolchain.Missing is null)
        {
            await PackAsync(cli, "-r", RuntimeIdentifier);
        }

        await PackAsync(cli, "-r", "any", "-p:PublishAot=false");
    }

    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs <c>dotnet ARGS… --disable-build-servers</c> as a shell would (<see cref="WithoutMSBuildVariables"/>), at low
    /// priority (<c>nice</c>) where there is one, within <paramref name="timeout"/>.
    /// </summary>
    public static Task<ProcessResult> DotNetBuildAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // No compiler or MSBuild server left behind holding this child's output pipes.
        string[] command = [CliRunner.DotNetHost, .. arguments, "--disable-build-servers"];
        return OperatingSystem.IsWindows()
            ? ChildProcess.RunAsync(command[0], command[1..], WithoutMSBuildVariables(), timeout, cancellationToken)
            : ChildProcess.RunAsync("nice", ["-n", "10", .. command], WithoutMSBuildVariables(), timeout, cancellationToken);
    }

    /// <summary>
    /// The test's environment less the variables that <c>dotnet test</c>'s MSBuild set for itself (MSBUILD…, MSBuild…):
    /// a child build must find its own SDK and settings, as one started from a shell does.
    /// </summary>
    public static Dictionary<string, string?> WithoutMSBuildVariables()
    {
        var environment = new Dictionary<string, string?>();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string name && name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
            {
                environment[name] = null;
            }
        }

        return environment;
    }

    private async Task PackAsync(string project, params string[] options)
    {
        var result = await DotNetBuildAsync(
            ["pack", project, "-c", "Release", .. options, $"-p:ArtifactsPath={Path.Combine(_directory.Path, "artifacts")}", $"-p:Version={Version}"],
            s_packTimeout,
            TestContext.Current.CancellationToken);
        _packResults.Add(result);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed: {result}");
        }
    }
}
