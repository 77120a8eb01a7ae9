using DualStack.Diagnostics;

namespace DualStack;

/// <summary>
/// A connect by name failed: every attempt failed, or the overall timeout passed first. Lists every attempt
/// with its address, timing and error.
/// </summary>
public sealed class ConnectionRaceException : IOException, IHasErrorType
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">What was connected to, such as <c>example.com:443</c>.</param>
    /// <param name="attempts">Every attempt, in the order they started.</param>
    /// <param name="timedOut">Whether the overall timeout ended the race.</param>
    public ConnectionRaceException(string target, IReadOnlyList<ConnectionAttempt> attempts, bool timedOut)
        : base(BuildMessage(target, attempts, timedOut), attempts?.LastOrDefault(a => a.Error is not null)?.Error)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
        Attempts = attempts!;
        TimedOut = timedOut;
    }

    /// <summary>What was connected to, such as <c>example.com:443</c>.</summary>
    public string Target { get; }

    /// <summary>Every attempt, in the order they started.</summary>
    public IReadOnlyList<ConnectionAttempt> Attempts { get; }

    /// <summary>Whether the overall timeout ended the race before every attempt had failed.</summary>
    public bool TimedOut { get; }

    private static string BuildMessage(string target, IReadOnlyList<ConnectionAttempt> attempts, bool timedOut)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        string summary = timedOut
            ? $"connect to {target} timed out after {attempts.Count} attempt{(attempts.Count == 1 ? "" : "s")}"
            : attempts.Count == 1 ? $"the only attempt to connect to {target} failed"
            : $"all {attempts.Count} attempts to connect to {target} failed";
        return attempts.Count == 0 ? $"{summary}: no address to try" : $"{summary}: {string.Join("; ", attempts)}";
    }

    // <inheritdoc />
    string IHasErrorType.ErrorType =>
        TimedOut ? ErrorTypes.Timeout
        : Attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Failed)?.Error is { } last ? ErrorTypes.Of(last)
        : "no_address";
}
