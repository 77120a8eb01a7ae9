namespace DualStack;

/// <summary>How one connection attempt of a race ended.</summary>
public enum AttemptOutcome
{
    /// <summary>It connected and won the race.</summary>
    Connected,

    /// <summary>It failed on its own: refused, unreachable, timed out.</summary>
    Failed,

    /// <summary>It was stopped: another attempt won, the race timed out or the caller cancelled.</summary>
    Cancelled,
}
