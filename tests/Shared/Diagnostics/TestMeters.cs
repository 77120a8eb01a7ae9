using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace DualStack.Tests.Shared.Diagnostics;

/// <summary>
/// An <see cref="IMeterFactory"/> of the test's own (from a container with <c>AddMetrics()</c>) and collectors for the
/// DualStack instruments made through it: measurements of tests running in parallel, on other factories or on the
/// shared static meter, are not seen.
/// </summary>
public sealed class TestMeters : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<IDisposable> _collectors = [];

    public IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    public MetricCollector<T> Collect<T>(string instrumentName)
        where T : struct
    {
        var collector = new MetricCollector<T>(Factory, DualStackDiagnostics.MeterName, instrumentName);
        _collectors.Add(collector);
        return collector;
    }

    public void Dispose()
    {
        foreach (var collector in _collectors)
        {
            collector.Dispose();
        }

        _services.Dispose();
    }
}
