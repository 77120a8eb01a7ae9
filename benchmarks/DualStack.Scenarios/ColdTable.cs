using System.Globalization;
using System.Text;

namespace DualStack.Scenarios;

/// <summary>Formats the cold-start results as Markdown: one table per client, then the ratios against plain .NET.</summary>
internal static class ColdTable
{
    public static string Format(IReadOnlyList<ColdScenarioResult> results, Summary baseline)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"`ip netns exec CLIENT true` (the cost of starting a process in the namespace, subtracted in the \"net\" column): median {ResultTable.Median(baseline)} ms, {ResultTable.Range(baseline)} ms over {baseline.Connected} runs.");
        text.AppendLine();

        text.AppendLine("Native CLI, `dualstack connect HOST PORT --json`, one process per connect:");
        text.AppendLine();
        text.AppendLine("| scenario | elapsed_ms median | elapsed_ms min–max | whole process median | whole process min–max | whole process, net | winner | capped or failed | target | met? |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---|---|---|");
        foreach (var result in results)
        {
            var native = result.Native;
            double net = native.Process.Median - baseline.Median;
            var goals = new List<(string Target, bool Met)>();
            if (ColdGoals.NativeElapsedMs(result.Scenario.Key) is { } elapsedLimit)
            {
                goals.Add((Invariant($"elapsed_ms ≤ {elapsedLimit:0} ms"), Met(native.Connect, elapsedLimit)));
            }

            if (ColdGoals.NativeProcessMs(result.Scenario.Key) is { } processLimit)
            {
                goals.Add((Invariant($"whole process, net ≤ {processLimit:0} ms"), !native.Process.MedianCapped && net <= processLimit));
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Scenario.Title} | {ResultTable.Median(native.Connect)} | {ResultTable.Range(native.Connect)} | {ResultTable.Median(native.Process)} | {ResultTable.Range(native.Process)} | {Net(native.Process, net)} | {ResultTable.Winners(native.Connect)} | {ResultTable.Losses(native.Connect)} | {Targets(goals)} | {MetColumn(goals)} |");
        }

        foreach (var (title, side) in new[] { ("DualStack library under JIT, fresh process (`cold-once --client dualstack`)", (Func<ColdScenarioResult, ColdSideResult>)(r => r.Library)), ("Plain .NET, fresh process (`cold-once --client plain`)", r => r.Plain) })
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{title}:");
            text.AppendLine();
            text.AppendLine("| scenario | Main → connected median | min–max | connect alone median | whole process median | whole process min–max | winner | capped or failed | JIT-compiled methods | JIT ms | peak RSS MiB |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
            foreach (var result in results)
            {
                var s = side(result);
                text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Scenario.Title} | {ResultTable.Median(s.Connect)} | {ResultTable.Range(s.Connect)} | {ResultTable.Median(s.Alone)} | {ResultTable.Median(s.Process)} | {ResultTable.Range(s.Process)} | {ResultTable.Winners(s.Connect)} | {ResultTable.Losses(s.Connect)} | {Invariant($"{s.MedianFact(f => f.JitMethods):0}")} | {ResultTable.Milliseconds(s.MedianFact(f => f.JitMs))} | {Invariant($"{s.MedianFact(f => f.PeakRssKb) / 1024:0.0}")} |");
            }
        }

        text.AppendLine();
        text.AppendLine("Ratios of medians (fresh processes):");
        text.AppendLine();
        text.AppendLine("| scenario | library / plain, Main → connected | library / plain, connect alone | library / plain, whole process | native elapsed_ms / plain Main → connected | native / plain, whole process | target | met? |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var result in results)
        {
            var (native, library, plain) = (result.Native, result.Library, result.Plain);
            var goals = new List<(string Target, bool Met)>();
            if (ColdGoals.LibraryTimesPlain(result.Scenario.Key) is { } factor)
            {
                double limit = factor * plain.Connect.Median;
                goals.Add((Invariant($"library Main → connected ≤ {factor:0.0}× plain ({limit:0.0} ms)"), !plain.Connect.MedianCapped && Met(library.Connect, limit)));
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Scenario.Title} | {ResultTable.Ratio(library.Connect, plain.Connect)} | {ResultTable.Ratio(library.Alone, plain.Alone)} | {ResultTable.Ratio(library.Process, plain.Process)} | {ResultTable.Ratio(native.Connect, plain.Connect)} | {ResultTable.Ratio(native.Process, plain.Process)} | {Targets(goals)} | {MetColumn(goals)} |");
        }

        return text.ToString();
    }

    private static bool Met(Summary summary, double limit) => !summary.MedianCapped && !double.IsNaN(summary.Median) && summary.Median <= limit;

    private static string Net(Summary process, double net) =>
        process.MedianCapped || double.IsNaN(net) ? "—" : ResultTable.Milliseconds(net);

    private static string Targets(List<(string Target, bool Met)> goals) => goals.Count == 0 ? "—" : string.Join("; ", goals.Select(g => g.Target));

    private static string MetColumn(List<(string Target, bool Met)> goals) => goals.Count == 0 ? "—" : string.Join("; ", goals.Select(g => g.Met ? "yes" : "**no**"));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
