namespace DualStack.Scenarios;

/// <summary>One side's fresh-process samples in one scenario, summarised.</summary>
internal sealed class ColdSideResult(IReadOnlyList<ColdSample> samples)
{
    public IReadOnlyList<ColdSample> Samples { get; } = samples;

    public Summary Connect { get; } = Summary.Of(samples.Select(s => s.Connect).ToList());

    public Summary Alone { get; } = Summary.Of(samples.Select(s => s.Alone).ToList());

    public Summary Process { get; } = Summary.Of(samples.Select(s => s.Process).ToList());

    /// <summary>The median of a process-level figure over the samples that have one; NaN if none has.</summary>
    public double MedianFact(Func<ProcessFacts, double> figure)
    {
        var values = Samples.Where(s => s.Facts is not null).Select(s => figure(s.Facts!)).Order().ToList();
        return values.Count == 0 ? double.NaN
            : values.Count % 2 == 1 ? values[values.Count / 2]
            : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
