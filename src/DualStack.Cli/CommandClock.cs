namespace DualStack.Cli;

/// <summary>When the command started: the zero of the times a command reports (<c>elapsed_ms</c>, attempt times).</summary>
internal static class CommandClock
{
    /// <summary>The timestamp taken first thing in <c>Main</c>; read with <see cref="TimeProvider.GetElapsedTime(long)"/>.</summary>
    public static long Start { get; private set; } = TimeProvider.System.GetTimestamp();

    /// <summary>Sets <see cref="Start"/> to now; <c>Main</c> calls it before anything else.</summary>
    public static void MarkStart() => Start = TimeProvider.System.GetTimestamp();
}
