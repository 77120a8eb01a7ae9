using System.Globalization;

namespace DualStack.Scenarios;

/// <summary>Cheap process-level figures: what the runtime had compiled and loaded by the time the connect returned.</summary>
/// <param name="JitMethods">Methods the JIT had compiled (<c>JitInfo.GetCompiledMethodCount</c>), all threads.</param>
/// <param name="JitMs">Time spent in the JIT, all threads.</param>
/// <param name="Assemblies">Assemblies loaded.</param>
/// <param name="DualStackLoaded">Whether the DualStack assembly was loaded (it must not be, for the plain client).</param>
/// <param name="PeakRssKb">The process's peak resident set (<c>VmHWM</c>), in KiB; 0 if unreadable.</param>
internal sealed record ProcessFacts(long JitMethods, double JitMs, int Assemblies, bool DualStackLoaded, long PeakRssKb)
{
    public static ProcessFacts Now()
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies();
        return new ProcessFacts(
            System.Runtime.JitInfo.GetCompiledMethodCount(),
            System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds,
            assemblies.Length,
            assemblies.Any(a => a.GetName().Name == "DualStack.Net"),
            ReadPeakRssKb());
    }

    private static long ReadPeakRssKb()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
