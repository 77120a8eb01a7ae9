namespace DualStack.Cli.Tests;

/// <summary>Whether this machine can compile with Native AOT: on Linux the SDK links with clang (Debian: clang, lld, zlib1g-dev).</summary>
public static class NativeToolchain
{
    private static readonly Lazy<string?> s_missing = new(FindMissing);

    /// <summary>Why Native AOT cannot compile here, or <see langword="null"/> when it can.</summary>
    public static string? Missing => s_missing.Value;

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        bool onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "clang")));
        return onPath ? null : "Native AOT needs clang on PATH (apt-get install clang lld zlib1g-dev)";
    }
}
