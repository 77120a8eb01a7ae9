namespace DualStack.Cli;

/// <summary>A one-line progress indicator on a terminal's stderr while something runs; silent when stderr is not a terminal.</summary>
internal sealed class Spinner : IDisposable
{
    private static readonly string[] s_frames = ["|", "/", "-", "\\"];
    private readonly ITimer? _timer;
    private readonly long _start = TimeProvider.System.GetTimestamp();
    private int _frame;

    public Spinner(string label, bool enabled)
    {
        if (enabled && !Console.IsErrorRedirected)
        {
            _timer = TimeProvider.System.CreateTimer(_ => Draw(label), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(80));
        }
    }

    public void Dispose()
    {
        if (_timer is null)
        {
            return;
        }

        _timer.Dispose();
        lock (s_frames)
        {
            Console.Error.Write("\r\u001b[2K");
        }
    }

    private void Draw(string label)
    {
        lock (s_frames)
        {
            var elapsed = TimeProvider.System.GetElapsedTime(_start);
            Console.Error.Write($"\r{s_frames[_frame++ % s_frames.Length]} {label} {elapsed.TotalMilliseconds:0} ms");
        }
    }
}
