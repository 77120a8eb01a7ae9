namespace DualStack;

/// <summary>
/// A connect by name failed: every attempt failed, or the overall timeout passed first. Lists every attempt
/// with its address, timing and error (SPEC R9).
/// </summary>
public sealed class ConnectionRaceException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="host">The host that was connected to.</param>
    /// <param name="port">The port.</param>
    /// <param name="attempts">Every attempt, in the order they started.</param>
    /// <param name="timedOut">Whether the overall timeout ended the race.</param>
    public ConnectionRaceException(string host, int port, IReadOnlyList<ConnectionAttempt> attempts, bool timedOut)
        : base(BuildMessage(host, port, attempts, timedOut), attempts?.LastOrDefault(a => a.Error is not null)?.Error)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        Port = port;
        Attempts = attempts!;
        TimedOut = timedOut;
    }

    /// <summary>The host that was connected to.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>Every attempt, in the order they started.</summary>
    public IReadOnlyList<ConnectionAttempt> Attempts { get; }

    /// <summary>Whether the overall timeout ended the race before every attempt had failed.</summary>
    public bool TimedOut { get; }

    private static string BuildMessage(string host, int port, IReadOnlyList<ConnectionAttempt> attempts, bool timedOut)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        string target = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        string summary = timedOut
            ? $"connect to {target} timed out after {attempts.Count} attempt{(attempts.Count == 1 ? "" : "s")}"
            : $"all {attempts.Count} attempt{(attempts.Count == 1 ? "" : "s")} to connect to {target} failed";
        return attempts.Count == 0 ? summary : $"{summary}: {string.Join("; ", attempts)}";
    }
}
