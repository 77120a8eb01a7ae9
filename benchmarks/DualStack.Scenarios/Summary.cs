namespace DualStack.Scenarios;

/// <summary>One client's samples in one scenario, summarised.</summary>
/// <param name="Median">The median of the samples that connected or hit the cap (a capped one counts as the cap), in ms; NaN if none did.</param>
/// <param name="MedianCapped">Whether the median is a capped sample, so that the true value is at least <see cref="Median"/>.</param>
/// <param name="Min">The smallest such sample, in ms.</param>
/// <param name="Max">The largest such sample, in ms.</param>
/// <param name="Connected">How many connected.</param>
/// <param name="Capped">How many hit the cap.</param>
/// <param name="Failed">How many failed with an error (not counted in the median).</param>
/// <param name="Winners">The winning families and how often, such as <c>ipv4 ×7</c>.</param>
internal sealed record Summary(double Median, bool MedianCapped, double Min, double Max, int Connected, int Capped, int Failed, string Winners)
{
    public static Summary Of(IReadOnlyList<Sample> samples)
    {
        var timed = samples.Where(s => s.Outcome != Sample.Failed).OrderBy(s => s.Ms).ToList();
        int connected = samples.Count(s => s.Outcome == Sample.Connected);
        int capped = samples.Count(s => s.Outcome == Sample.Capped);
        int failed = samples.Count(s => s.Outcome == Sample.Failed);
        string winners = string.Join(", ", samples.Where(s => s.Family is not null).GroupBy(s => s.Family).Select(g => $"{g.Key} ×{g.Count()}"));
        if (timed.Count == 0)
        {
            return new Summary(double.NaN, false, double.NaN, double.NaN, connected, capped, failed, winners);
        }

        int middle = timed.Count / 2;
        var (low, high) = timed.Count % 2 == 1 ? (timed[middle], timed[middle]) : (timed[middle - 1], timed[middle]);
        bool medianCapped = low.Outcome == Sample.Capped || high.Outcome == Sample.Capped;
        return new Summary((low.Ms + high.Ms) / 2, medianCapped, timed[0].Ms, timed[^1].Ms, connected, capped, failed, winners);
    }
}
