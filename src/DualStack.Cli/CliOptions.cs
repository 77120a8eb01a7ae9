using System.CommandLine;

namespace DualStack.Cli;

/// <summary>Options every command takes.</summary>
internal static class CliOptions
{
    public static Option<bool> Json { get; } = new("--json")
    {
        Description = "Write only JSON to standard output, one object per line",
        Recursive = true,
    };
}
