using System.Globalization;
using System.Runtime.InteropServices;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.Scenarios;

/// <summary>What the parent needs to run children inside the lab's client namespace and to read what they print.</summary>
internal static class LabChild
{
    private static readonly Lazy<string> s_dotnet = new(FindDotnet);

    /// <summary>The <c>ip</c> command, found on PATH.</summary>
    public const string Ip = "ip";

    /// <summary>Why the lab cannot be built here, with what to do about it, or <see langword="null"/>.</summary>
    public static string? Unavailable() =>
        NetworkLab.UnavailableReason is { } reason
            ? $"dualstack-scenarios: the scenarios need network namespaces, which cannot be created here: {reason}. Run as root on Linux (sudo -E dotnet run -c Release --project benchmarks/DualStack.Scenarios)."
            : null;

    /// <summary>
    /// The arguments of <c>ip</c> that run this program's <paramref name="arguments"/> inside the client namespace:
    /// <c>netns exec CLIENT DOTNET THIS.dll ARGUMENTS…</c>.
    /// </summary>
    public static string[] ThisProgram(NetworkLab lab, params string[] arguments) =>
        ["netns", "exec", lab.Client.Name, s_dotnet.Value, typeof(LabChild).Assembly.Location, .. arguments];

    /// <summary>The last line of standard output that starts with <c>{</c>, from a child that exited 0.</summary>
    /// <param name="result">How the child ended.</param>
    /// <param name="what">The child, for the error message (such as "the measuring child for healthy").</param>
    /// <exception cref="InvalidOperationException">The child failed or printed no JSON.</exception>
    public static string JsonLine(ProcessResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed: {result}");
        }

        return result.StdOutLines.LastOrDefault(l => l.StartsWith('{')) ?? throw new InvalidOperationException($"{what} printed no JSON: {result}");
    }

    /// <summary>When and where the run happened, for a table's header line.</summary>
    public static string Machine() => string.Create(
        CultureInfo.InvariantCulture,
        $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} CPUs, {RuntimeInformation.OSDescription}, kernel {Environment.OSVersion.Version}, .NET {Environment.Version}");

    /// <summary>The lab's client and server addresses, for a table's header line.</summary>
    public static string Addresses(NetworkLab lab) => $"lab {lab.ClientIPv6}/{lab.ClientIPv4} → {lab.ServerIPv6}/{lab.ServerIPv4}";

    // The dotnet host that runs this program: "dotnet run" may start it through its apphost, so go from the runtime's
    // directory (DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION/) up to DOTNET_ROOT/dotnet.
    private static string FindDotnet()
    {
        if (Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            return path;
        }

        string runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        string root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        string dotnet = Path.Combine(root, "dotnet");
        return File.Exists(dotnet) ? dotnet : throw new InvalidOperationException($"cannot find the dotnet host next to the runtime in {runtime}");
    }
}
