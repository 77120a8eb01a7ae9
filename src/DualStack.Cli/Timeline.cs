using System.Globalization;
using System.Text;

namespace DualStack.Cli;

/// <summary>Draws a race as a timeline: one row per attempt, a bar from its start to its end.</summary>
internal static class Timeline
{
    private const int Width = 50;

    public static string Draw(IReadOnlyList<ConnectionAttempt> attempts, double totalMs)
    {
        var text = new StringBuilder();
        if (attempts.Count == 0)
        {
            return "  (no attempt was started)\n";
        }

        double scale = Math.Max(totalMs, attempts.Max(a => a.Ended.TotalMilliseconds)) / Width;
        scale = scale <= 0 ? 1 : scale;
        int labelWidth = attempts.Max(a => JsonShapes.EndPoint(a.RemoteEndPoint).Length);
        text.Append(' ', labelWidth + 3).Append('0').Append(' ', Width - 1).Append(CultureInfo.InvariantCulture, $"{scale * Width:0} ms\n");
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
            text.Append("  ").Append(JsonShapes.EndPoint(attempt.RemoteEndPoint).PadRight(labelWidth)).Append(' ')
                .Append(' ', from).Append('[').Append('=', Math.Max(0, to - from - 1)).Append(end)
                .Append(' ', Math.Max(1, Width - to + 1))
                .Append(CultureInfo.InvariantCulture, $"{attempt.Started.TotalMilliseconds,5:0}-{attempt.Ended.TotalMilliseconds:0} ms {attempt.Outcome.ToString().ToLowerInvariant()}");
            if (attempt.Error is not null)
            {
                text.Append(": ").Append(attempt.Error.Message);
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
