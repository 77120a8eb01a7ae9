using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace DualStack.Diagnostics;

// Whether anyone could be listening to DualStack's meter and activity source yet.
//
// Every listener lives in System.Diagnostics.DiagnosticSource: MeterListener, ActivityListener, OpenTelemetry's
// providers, IMeterFactory, and the EventSource bridge that dotnet-counters and dotnet-trace talk to. Until some code
// has loaded that assembly, nothing can observe a metric or a span. Creating our Meter is what would load it and set
// up its event source, which costs a fresh process about 25 ms, more than a whole connect to an address literal.
// So until the assembly is loaded by someone else (a listener, the host's logging or metrics, the runtime's own DNS
// metrics at the first name lookup), DualStack creates no meter and no activity source and records nothing; from the
// first use after it is loaded, both exist and behave as always.
//
// Rejected: creating the meter in the background at first use (the first measurements would be lost even when a
// listener is attached), and a public switch (a setting nobody knows to turn on).
internal static class DiagnosticsGate
{
    private const string DiagnosticSourceAssembly = "System.Diagnostics.DiagnosticSource";

    // The AppContext switch that turns DualStack's metrics and spans off for good, for an application that wants none of
    // them (the dualstack command-line tool): in its project,
    // <RuntimeHostConfigurationOption Include="DualStack.Diagnostics.IsSupported" Value="false" Trim="true" />.
    private const string SupportedSwitch = "DualStack.Diagnostics.IsSupported";

    private static volatile bool s_open;

    static DiagnosticsGate()
    {
        if (!IsSupported)
        {
            return;
        }

        // Compiled ahead of time (Native AOT) there is nothing to load or compile, and event sources are off by default:
        // creating the meter costs little, so the gate is open from the start.
        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            s_open = true;
            return;
        }

        // Subscribe first, then look: an assembly loaded in between is seen by one or the other.
        AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            Check(assembly);
        }
    }

    // <summary>Whether System.Diagnostics.DiagnosticSource is loaded, so that a listener may exist.</summary>
    public static bool IsOpen => s_open;

    [FeatureSwitchDefinition(SupportedSwitch)]
    private static bool IsSupported { get; } = !AppContext.TryGetSwitch(SupportedSwitch, out bool supported) || supported;

    private static void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs args) => Check(args.LoadedAssembly);

    private static void Check(Assembly assembly)
    {
        if (!s_open && IsDiagnosticSource(assembly))
        {
            s_open = true;
            AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
        }
    }

    private static bool IsDiagnosticSource(Assembly assembly)
    {
        try
        {
            return assembly.GetName().Name == DiagnosticSourceAssembly;
        }
        catch (CultureNotFoundException)
        {
            // A satellite assembly in globalization-invariant mode: its name makes a CultureInfo that mode refuses.
            return false;
        }
    }
}
