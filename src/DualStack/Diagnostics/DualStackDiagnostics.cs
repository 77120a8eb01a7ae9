namespace DualStack;

/// <summary>The names under which DualStack publishes its metrics and traces.</summary>
/// <remarks>
/// Give them to whatever collects telemetry, such as OpenTelemetry's <c>AddMeter(DualStackDiagnostics.MeterName)</c>
/// and <c>AddSource(DualStackDiagnostics.ActivitySourceName)</c>. Every instrument and activity name is listed in
/// <c>docs/diagnostics.md</c>; like these constants, they are public API and do not change.
/// </remarks>
public static class DualStackDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: <c>DualStack</c>.</summary>
    public const string MeterName = "DualStack";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: <c>DualStack</c>.</summary>
    public const string ActivitySourceName = "DualStack";
}
