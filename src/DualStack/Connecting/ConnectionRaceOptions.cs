using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>How <see cref="ConnectionRace.ConnectAsync"/> races its candidates.</summary>
public sealed record ConnectionRaceOptions
{
    private readonly TimeSpan _attemptDelay = ConnectOptions.Default.AttemptDelay;
    private readonly TimeSpan _connectTimeout = ConnectOptions.Default.ConnectTimeout;
    private readonly int _maxConcurrentAttempts = ConnectOptions.Default.MaxConcurrentAttempts;

    /// <summary>How long to wait for an attempt before starting the next one alongside it.</summary>
    /// <remarks>
    /// Defaults to 250 ms, as <see cref="ConnectOptions.AttemptDelay"/>; a finite value lies between 10 ms and 2 s.
    /// <see cref="Timeout.InfiniteTimeSpan"/> makes the race sequential: the next attempt starts only when one fails.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 10 ms - 2 s and not infinite.</exception>
    public TimeSpan AttemptDelay
    {
        get => _attemptDelay;
        init => _attemptDelay = ConnectOptions.CheckAttemptDelay(value, nameof(AttemptDelay));
    }

    /// <summary>How many attempts may be in flight at once.</summary>
    /// <remarks>Defaults to <see cref="int.MaxValue"/> (no cap). With a cap, the next attempt waits for the delay and for a free slot.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrentAttempts
    {
        get => _maxConcurrentAttempts;
        init => _maxConcurrentAttempts = ConnectOptions.CheckMaxConcurrentAttempts(value, nameof(MaxConcurrentAttempts));
    }

    /// <summary>How long the whole race may take, waiting for candidates included.</summary>
    /// <remarks>Defaults to 30 s, as <see cref="ConnectOptions.ConnectTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> leaves each attempt to the OS's own timeout.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = EndpointArguments.CheckTimeout(value, nameof(ConnectTimeout));
    }

    /// <summary>The local endpoint each attempt's socket binds to; candidates of the other family are skipped.</summary>
    /// <remarks>Defaults to <see langword="null"/>: the OS chooses.</remarks>
    public IPEndPoint? BindEndPoint { get; init; }

    /// <summary>The clock for the attempt delay and the timeout. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where each attempt is logged. Defaults to <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where the <c>dualstack.connect.attempts</c> counter comes from (see <c>docs/diagnostics.md</c>).</summary>
    /// <remarks>Defaults to <see langword="null"/>: the shared static meter named <c>DualStack</c>.</remarks>
    public IMeterFactory? MeterFactory { get; init; }

    // <summary>
    // Makes one attempt: the seam where tests script attempts on a fake clock or open sockets inside a network
    // namespace. <see langword="null"/> for a TCP connect that binds <see cref="BindEndPoint"/>.
    // </summary>
    internal Func<IPEndPoint, CancellationToken, ValueTask<System.Net.Sockets.Socket>>? Connector { get; init; }
}
