using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;

namespace DualStack.Benchmarks;

/// <summary>Adds operations per second to the default columns, for the socket benchmarks whose figure of merit is a rate.</summary>
public sealed class LoopbackBenchmarkConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public LoopbackBenchmarkConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
