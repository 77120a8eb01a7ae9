using System.Net;

namespace DualStack;

/// <summary>One connection attempt of a race: where, when, and how it ended.</summary>
/// <param name="RemoteEndPoint">The address tried.</param>
/// <param name="Started">When the attempt started, from the start of the connect (resolution included).</param>
/// <param name="Ended">When it ended, on the same clock.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Error">Why it failed, for <see cref="AttemptOutcome.Failed"/>; otherwise <see langword="null"/>.</param>
public sealed record ConnectionAttempt(IPEndPoint RemoteEndPoint, TimeSpan Started, TimeSpan Ended, AttemptOutcome Outcome, Exception? Error)
{
    /// <summary>
    /// The IPv4 address this attempt's IPv6 address was synthesised from, to reach it through a NAT64 translator (on a
    /// host with no IPv4 route to it); <see langword="null"/> for an address as the name or the caller gave it.
    /// </summary>
    public IPAddress? SynthesizedFrom { get; init; }

    // <summary>
    // An attempt starting now, recorded with a plain endpoint (a NAT64 candidate's address, and the IPv4 one it stands
    // for).
    // </summary>
    internal static ConnectionAttempt Starting(IPEndPoint endPoint, TimeSpan started) =>
        new(endPoint.GetType() == typeof(IPEndPoint) ? endPoint : new IPEndPoint(endPoint.Address, endPoint.Port), started, TimeSpan.Zero, AttemptOutcome.Cancelled, null)
        {
            SynthesizedFrom = (endPoint as SynthesizedEndPoint)?.IPv4,
        };

    // <summary>
    // How an attempt that did not connect ended: cancelled (no error, an <see cref="OperationCanceledException"/>, or
    // the race's token fired: the caller, the timeout or a winner), else failed with its error.
    // </summary>
    internal ConnectionAttempt NotConnected(TimeSpan ended, Exception? error, CancellationToken raceToken)
    {
        bool cancelled = error is null or OperationCanceledException || raceToken.IsCancellationRequested;
        return this with
        {
            Ended = ended,
            Outcome = cancelled ? AttemptOutcome.Cancelled : AttemptOutcome.Failed,
            Error = cancelled ? null : error,
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{IPLiteral.FormatEndPoint(RemoteEndPoint)}{(SynthesizedFrom is null ? string.Empty : $" (NAT64 for {SynthesizedFrom})")} {Started.TotalMilliseconds:0}-{Ended.TotalMilliseconds:0} ms {Outcome.ToString().ToLowerInvariant()}"
        + (Error is null ? string.Empty : $": {Error.Message}");
}
