using System.Globalization;
using System.Text;

namespace DualStack.Scenarios;

/// <summary>Formats scenario results as Markdown tables: medians against targets, then the spread and the winners.</summary>
internal static class ResultTable
{
    public static string Format(IReadOnlyList<ScenarioResult> results, string healthyKey)
    {
        double? healthy = results.FirstOrDefault(r => r.Scenario.Key == healthyKey) is { DualStack: { MedianCapped: false } h } && !double.IsNaN(h.Median) ? h.Median : null;
        var text = new StringBuilder();
        text.AppendLine("| scenario | DualStack median ms | plain .NET median ms | ratio (DualStack/plain) | target | met? |");
        text.AppendLine("|---|---:|---:|---:|---|---|");
        foreach (var result in results)
        {
            var (ds, plain) = (result.DualStack, result.Plain);
            double? limit = result.Scenario.Target.Limit(plain.Median, healthy);
            string target = result.Scenario.Target == Target.None ? "—" : result.Scenario.Target.Describe(limit);
            string met = result.Scenario.Target == Target.None ? "—"
                : limit is null || double.IsNaN(limit.Value) || double.IsNaN(ds.Median) ? "n/a"
                : !ds.MedianCapped && ds.Median <= limit.Value ? "yes" : "**no**";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Scenario.Title} | {Median(ds)} | {Median(plain)} | {Ratio(ds, plain)} | {target} | {met} |");
        }

        text.AppendLine();
        text.AppendLine("| scenario | DualStack min–max ms | plain .NET min–max ms | DualStack winner | plain .NET winner | capped or failed (DualStack / plain) |");
        text.AppendLine("|---|---:|---:|---|---|---|");
        foreach (var result in results)
        {
            var (ds, plain) = (result.DualStack, result.Plain);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Scenario.Title} | {Range(ds)} | {Range(plain)} | {Winners(ds)} | {Winners(plain)} | {Losses(ds)} / {Losses(plain)} |");
        }

        return text.ToString();
    }

    public static string Median(Summary summary) =>
        double.IsNaN(summary.Median) ? "all failed"
        : summary.MedianCapped ? Invariant($"≥ {summary.Median:0}")
        : Milliseconds(summary.Median);

    public static string Range(Summary summary) =>
        double.IsNaN(summary.Min) ? "—" : $"{Milliseconds(summary.Min)}–{Milliseconds(summary.Max)}";

    // Two decimals below 10 ms: the healthy connects take fractions of a millisecond.
    public static string Milliseconds(double ms) => ms < 10 ? Invariant($"{ms:0.00}") : Invariant($"{ms:0.0}");

    public static string Ratio(Summary ds, Summary plain)
    {
        if (double.IsNaN(ds.Median) || double.IsNaN(plain.Median) || (ds.MedianCapped && plain.MedianCapped))
        {
            return "—";
        }

        double ratio = ds.Median / plain.Median;
        // A capped median is a lower bound: dividing by it bounds the ratio from above, dividing it from below.
        if (ratio < 0.001)
        {
            return ds.MedianCapped ? "—" : "< 0.001";
        }

        string shown = ratio < 0.1 ? Invariant($"{ratio:0.000}") : Invariant($"{ratio:0.00}");
        return plain.MedianCapped ? $"≤ {shown}" : ds.MedianCapped ? $"≥ {shown}" : shown;
    }

    public static string Winners(Summary summary) => summary.Winners.Length == 0 ? "—" : summary.Winners;

    public static string Losses(Summary summary) =>
        summary.Capped == 0 && summary.Failed == 0 ? "0"
        : string.Join(" + ", new[] { summary.Capped > 0 ? $"{summary.Capped} capped" : null, summary.Failed > 0 ? $"{summary.Failed} failed" : null }.OfType<string>());

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
