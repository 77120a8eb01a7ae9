using System.Globalization;
using System.Text;

namespace DualStack.Cli;

/// <summary>Draws a race as a timeline: one row per attempt, a bar from its start to its end.</summary>
internal static class Timeline
{
    private const int MaxWidth = 50;
    private const int MinWidth = 10;

    // What follows a bar: " 12345-12345 ms cancelled".
    private const int Trailer = 26;

    /// <param name="attempts">The race's attempts.</param>
    /// <param name="totalMs">The time the timeline spans.</param>
    /// <param name="columns">The terminal's width, to fit the bars in; <see langword="null"/> when the output is not a terminal.</param>
    public static string Draw(IReadOnlyList<ConnectionAttempt> attempts, double totalMs, int? columns = null)
    {
        var text = new StringBuilder();
        if (attempts.Count == 0)
        {
            return "  (no attempt was started)\n";
        }

        int labelWidth = attempts.Max(a => Label(a).Length);
        int width = columns is { } c ? Math.Clamp(c - labelWidth - 4 - Trailer, MinWidth, MaxWidth) : MaxWidth;
        double scale = Math.Max(totalMs, attempts.Max(a => a.Ended.TotalMilliseconds)) / width;
        scale = scale <= 0 ? 1 : scale;
        text.Append(' ', labelWidth + 3).Append('0').Append(' ', width - 1).Append(CultureInfo.InvariantCulture, $"{scale * width:0} ms\n");
        foreach (var attempt in attempts)
        {
            int from = (int)(attempt.Started.TotalMilliseconds / scale);
            int to = Math.Max(from + 1, (int)(attempt.Ended.TotalMilliseconds / scale));
            char end = attempt.Outcome switch
            {
                AttemptOutcome.Connected => '*',
                AttemptOutcome.Failed => 'x',
                _ => '-',
            };
            text.Append("  ").Append(Label(attempt).PadRight(labelWidth)).Append(' ')
                .Append(' ', from).Append('[').Append('=', Math.Max(0, to - from - 1)).Append(end)
                .Append(' ', Math.Max(1, width - to + 1))
                .Append(CultureInfo.InvariantCulture, $"{attempt.Started.TotalMilliseconds,5:0}-{attempt.Ended.TotalMilliseconds:0} ms {attempt.Outcome.ToString().ToLowerInvariant()}");
            if (attempt.Error is not null)
            {
                text.Append(": ").Append(attempt.Error.Message);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    // The address tried, and for an address synthesised for NAT64 the IPv4 address it stands for.
    private static string Label(ConnectionAttempt attempt) =>
        JsonShapes.EndPoint(attempt.RemoteEndPoint) + (attempt.SynthesizedFrom is { } ipv4 ? $" (NAT64 for {ipv4})" : string.Empty);
}
