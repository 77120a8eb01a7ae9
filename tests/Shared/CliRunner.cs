namespace DualStack.Tests.Shared;

/// <summary>
/// Runs the <c>dualstack</c> command as a black box: by default the built dll,
/// <c>dotnet artifacts/bin/DualStack.Cli/CONFIG/dualstack.dll ARGS…</c> with CONFIG the configuration the running tests
/// were built in; or, when the environment variable <c>DUALSTACK_CLI</c> names an executable (the native one that
/// <c>dotnet publish src/DualStack.Cli -c Release</c> makes), that executable, run directly with no <c>dotnet</c> host.
/// </summary>
/// <remarks>
/// The test projects build the CLI first (a project reference without the assembly), so the dll is there
/// whenever the tests are; the native executable is published beforehand by whoever sets <c>DUALSTACK_CLI</c> (CI does).
/// Short commands go through <see cref="RunAsync(IEnumerable{string}, CancellationToken)"/>; long-running ones
/// (<c>listen</c>, <c>connect</c>) through <see cref="Start(IEnumerable{string})"/>, whose <see cref="ChildProcess"/>
/// gives their output line by line and stops them with a signal.
/// </remarks>
public static class CliRunner
{
    /// <summary>The environment variable that names the executable to test instead of the dll.</summary>
    public const string ExecutableVariable = "DUALSTACK_CLI";

    private static readonly Lazy<(string RepoRoot, string Configuration)> s_layout = new(FindLayout);

    private static readonly Lazy<string?> s_executable = new(FindExecutable);

    /// <summary>The repository root: the directory holding <c>DualStack.slnx</c>.</summary>
    public static string RepoRoot => s_layout.Value.RepoRoot;

    /// <summary>The artifacts configuration folder the tests run from, such as <c>debug</c> or <c>release</c>.</summary>
    public static string Configuration => s_layout.Value.Configuration;

    /// <summary>The path of <c>dualstack.dll</c> built in <see cref="Configuration"/>.</summary>
    public static string DllPath => Path.Combine(RepoRoot, "artifacts", "bin", "DualStack.Cli", Configuration, "dualstack.dll");

    /// <summary>The full path of the executable named by <c>DUALSTACK_CLI</c>, or <see langword="null"/> when the dll is tested.</summary>
    public static string? Executable => s_executable.Value;

    /// <summary>What the tests run: <see cref="Executable"/> if set, else <see cref="DllPath"/>.</summary>
    public static string CliPath => Executable ?? DllPath;

    /// <summary>Runs <c>dualstack ARGS…</c> to completion within <see cref="TaskTimeoutExtensions.DefaultTimeout"/>.</summary>
    /// <exception cref="TimeoutException">It overran; it has been killed with its process tree.</exception>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(arguments, TaskTimeoutExtensions.DefaultTimeout, cancellationToken);

    /// <summary>Runs <c>dualstack ARGS…</c> to completion within <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">It overran; it has been killed with its process tree.</exception>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string[] command = CommandLine([.. arguments]);
        return ChildProcess.RunAsync(command[0], command[1..], timeout, cancellationToken);
    }

    /// <summary>Starts <c>dualstack ARGS…</c> and returns at once; dispose the result to make sure it is gone.</summary>
    public static ChildProcess Start(IEnumerable<string> arguments)
    {
        string[] command = CommandLine([.. arguments]);
        return ChildProcess.Start(command[0], command[1..]);
    }

    /// <summary>The program and arguments that run <c>dualstack ARGS…</c>, for running it elsewhere (in a network namespace).</summary>
    public static string[] CommandLine(params string[] arguments) =>
        Executable is { } executable ? [executable, .. arguments] : [DotNetHost, CliDll(), .. arguments];

    /// <summary>The <c>dotnet</c> that runs the build and tests (set by the SDK), else the one on PATH.</summary>
    public static string DotNetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string CliDll()
    {
        string path = DllPath;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist; build tests/DualStack.Cli.Tests (which builds the CLI) in the same configuration", path);
    }

    private static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is not { Length: > 0 } value)
        {
            return null;
        }

        string path = Path.GetFullPath(value);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{ExecutableVariable}={value}, but {path} does not exist; publish it with dotnet publish src/DualStack.Cli -c Release, or unset {ExecutableVariable} to test the dll", path);
    }

    private static (string RepoRoot, string Configuration) FindLayout()
    {
        string baseDirectory = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var directory = new DirectoryInfo(baseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DualStack.slnx")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            throw new InvalidOperationException($"no DualStack.slnx above {baseDirectory}");
        }

        // The artifacts layout puts a test assembly in artifacts/bin/PROJECT/CONFIG/.
        string binRoot = Path.Combine(directory.FullName, "artifacts", "bin");
        string[] below = Path.GetRelativePath(binRoot, baseDirectory).Split(Path.DirectorySeparatorChar);
        return below.Length == 2 && below[0] != ".."
            ? (directory.FullName, below[1])
            : throw new InvalidOperationException($"{baseDirectory} is not artifacts/bin/PROJECT/CONFIG under {directory.FullName}");
    }
}
