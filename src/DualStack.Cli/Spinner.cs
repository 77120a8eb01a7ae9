namespace DualStack.Cli;

/// <summary>A one-line progress indicator on a terminal's stderr while something runs; silent when stderr is not a terminal.</summary>
internal sealed class Spinner : IDisposable
{
    private static readonly string[] s_frames = ["|", "/", "-", "\\"];
    private readonly Lock _gate = new();
    private readonly ITimer? _timer;
    private readonly long _start = TimeProvider.System.GetTimestamp();
    private int _frame;
    private bool _stopped;

    public Spinner(string label, bool enabled)
    {
        if (enabled && !Console.IsErrorRedirected)
        {
            _timer = TimeProvider.System.CreateTimer(_ => Draw(label), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(80));
        }
    }

    // Disposing a timer does not wait for a callback already running, so the line is cleared and the spinner marked
    // stopped under the same lock that every frame is drawn under: no frame can appear after the line is cleared.
    public void Dispose()
    {
        if (_timer is null)
        {
            return;
        }

        _timer.Dispose();
        lock (_gate)
        {
            _stopped = true;
            Console.Error.Write("\r\u001b[2K");
        }
    }

    private void Draw(string label)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            // One line that fits the terminal: a line wider than it would wrap, and every frame would leave a line behind.
            var elapsed = TimeProvider.System.GetElapsedTime(_start);
            string time = $" {elapsed.TotalMilliseconds:0} ms";
            int room = Math.Max(0, (Terminal.Columns(Console.Error) ?? 80) - 3 - time.Length);
            string text = label.Length <= room ? label : room > 1 ? string.Concat(label.AsSpan(0, room - 1), "…") : string.Empty;
            Console.Error.Write($"\r\u001b[2K{s_frames[_frame++ % s_frames.Length]} {text}{time}");
        }
    }
}
