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

    // Each command gets its own instance.
    public static Option<bool> NoNat64() => new("--no-nat64")
    {
        Description = "On an IPv6-only host, do not reach IPv4 addresses through the network's NAT64 translator",
    };
}
