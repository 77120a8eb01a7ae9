using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using DualStack.Diagnostics;
using DualStack.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>
/// Connects to a host by name over whichever address family works first (Happy Eyeballs, RFC 8305).
/// </summary>
/// <remarks>
/// <para>
/// The name's IPv6 and IPv4 addresses are asked for separately and at once. If the preferred family's answer comes
/// first, connecting starts at once; if the other's comes first, it waits up to <see cref="ResolutionDelay"/> for the
/// preferred one. Addresses are ordered (RFC 6724 unless the resolver already ordered them), the families interleaved
/// (<see cref="FirstAddressFamilyCount"/> of the preferred family first), and attempts start one at a time,
/// <see cref="AttemptDelay"/> apart, or at once when the latest attempt fails. The first attempt to connect wins; the
/// others are cancelled and their sockets closed (SPEC R8). The winning connection's
/// <see cref="StreamConnection.Attempts"/> holds the timeline.
/// </para>
/// <para>
/// If every attempt fails, or <see cref="ConnectTimeout"/> passes, the caller gets one <see cref="ConnectionRaceException"/>
/// listing every attempt (SPEC R9); if the name cannot be resolved, a <see cref="HostResolutionException"/>.
/// The policies of SPEC R10 are properties: <see cref="Family"/> restricts, <see cref="PreferredFamily"/> and
/// <see cref="History"/> choose who goes first, <see cref="Policy"/> selects the sequential policy, and
/// <see cref="MaxConcurrentAttempts"/> caps the race.
/// </para>
/// <para>
/// The host may also be an address literal, which is connected to directly. Two endpoints are equal when their
/// settings are equal and they share the same injected services (resolver, history, clock, logger factory).
/// </para>
/// </remarks>
public sealed record HostnameEndpoint : IStreamClientEndpoint
{
    private static readonly Func<Socket, IPEndPoint, CancellationToken, ValueTask<Socket>> s_noStep = static (socket, _, _) => ValueTask.FromResult(socket);
    private static readonly Func<Socket, ValueTask> s_releaseNothing = static _ => ValueTask.CompletedTask;

    private readonly TimeSpan _attemptDelay = ConnectionRaceOptions.DefaultAttemptDelay;
    private readonly TimeSpan _resolutionDelay = DefaultResolutionDelay;
    private readonly TimeSpan _connectTimeout = ConnectionRaceOptions.DefaultConnectTimeout;
    private readonly int _firstAddressFamilyCount = 1;
    private readonly int _maxConcurrentAttempts = int.MaxValue;
    private readonly AddressFamily _family = AddressFamily.Unspecified;
    private readonly AddressFamily _preferredFamily = AddressFamily.InterNetworkV6;
    private readonly IPAddress? _literal;

    // MeterFactory, kept as an object: a method that names IMeterFactory loads System.Diagnostics.DiagnosticSource when
    // it is compiled, and the connect path and the copy made by a `with` expression must not do that while nobody
    // listens (see DiagnosticsGate).
    private readonly object? _meterFactory;

    /// <summary>Creates an endpoint for <paramref name="host"/> and <paramref name="port"/>.</summary>
    /// <param name="host">A host name (internationalised names are converted to ASCII) or an address literal.</param>
    /// <param name="port">The port, 0-65535.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="host"/> is neither a valid host name nor a valid literal.</exception>
    public HostnameEndpoint(string host, int port)
    {
        Host = EndpointArguments.ParseHost(host, out _literal);
        EndpointArguments.ThrowIfInvalidPort(port, nameof(port));
        Port = port;
    }

    /// <summary>The default <see cref="ResolutionDelay"/>: 50 ms, RFC 8305 section 8's recommendation.</summary>
    public static TimeSpan DefaultResolutionDelay { get; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The host: the ASCII form of a name, or a formatted literal.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>How the addresses are gone through.</summary>
    /// <remarks>Defaults to <see cref="ConnectPolicy.HappyEyeballs"/>. <see cref="ConnectPolicy.Sequential"/> ignores <see cref="AttemptDelay"/> and <see cref="MaxConcurrentAttempts"/>.</remarks>
    public ConnectPolicy Policy { get; init; }

    /// <summary>How long to wait for an attempt before starting the next one alongside it.</summary>
    /// <remarks>Defaults to 250 ms (RFC 8305 section 8); must lie between 10 ms and 2 s (section 5).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 10 ms - 2 s.</exception>
    public TimeSpan AttemptDelay
    {
        get => _attemptDelay;
        init
        {
            _attemptDelay = value == Timeout.InfiniteTimeSpan
                ? throw new ArgumentOutOfRangeException(nameof(AttemptDelay), "use ConnectPolicy.Sequential for attempts without overlap")
                : EndpointArguments.CheckAttemptDelay(value, nameof(AttemptDelay));
        }
    }

    /// <summary>How long to wait for the preferred family's answer when the other family answered first.</summary>
    /// <remarks>Defaults to <see cref="DefaultResolutionDelay"/> (50 ms); zero starts with whatever answers first; at most 2 s.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or more than 2 s.</exception>
    public TimeSpan ResolutionDelay
    {
        get => _resolutionDelay;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(ResolutionDelay));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, ConnectionRaceOptions.MaxAttemptDelay, nameof(ResolutionDelay));
            _resolutionDelay = value;
        }
    }

    /// <summary>How many addresses of the preferred family are tried before the families alternate (RFC 8305 section 4).</summary>
    /// <remarks>Defaults to 1.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int FirstAddressFamilyCount
    {
        get => _firstAddressFamilyCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(FirstAddressFamilyCount));
            _firstAddressFamilyCount = value;
        }
    }

    /// <summary>How many attempts may be in flight at once.</summary>
    /// <remarks>Defaults to <see cref="int.MaxValue"/> (no cap).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrentAttempts
    {
        get => _maxConcurrentAttempts;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxConcurrentAttempts));
            _maxConcurrentAttempts = value;
        }
    }

    /// <summary>Restricts the connect to one family; <see cref="AddressFamily.Unspecified"/> allows both.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.Unspecified"/>. Only the restricted family is resolved.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not IPv4, IPv6 or unspecified.</exception>
    public AddressFamily Family
    {
        get => _family;
        init => _family = CheckFamily(value, allowUnspecified: true, nameof(Family));
    }

    /// <summary>The family tried first, unless <see cref="History"/> remembers that the other one won.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.InterNetworkV6"/>, as RFC 6724's default policy prefers.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not IPv4 or IPv6.</exception>
    public AddressFamily PreferredFamily
    {
        get => _preferredFamily;
        init => _preferredFamily = CheckFamily(value, allowUnspecified: false, nameof(PreferredFamily));
    }

    /// <summary>How long the whole connect (resolution and every attempt) may take.</summary>
    /// <remarks>Defaults to 30 s. <see cref="Timeout.InfiniteTimeSpan"/> leaves each attempt to the OS's own timeout.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = EndpointArguments.CheckTimeout(value, nameof(ConnectTimeout));
    }

    /// <summary>The local address and port to bind each attempt's socket to; only addresses of its family are tried (SPEC R2).</summary>
    /// <remarks>Defaults to <see langword="null"/>: the OS chooses, and both families are tried.</remarks>
    /// <exception cref="ArgumentException">The host is a literal of the other family.</exception>
    public IPEndPoint? BindEndPoint
    {
        get => field;
        init
        {
            if (value is not null && _literal is not null && value.AddressFamily != _literal.AddressFamily)
            {
                throw new ArgumentException(
                    $"bind address {IPLiteral.FormatEndPoint(value)} and {Host} are of different families; a bind address must be of the remote's family",
                    nameof(BindEndPoint));
            }

            field = value;
        }
    }

    /// <summary>Remembers which family won recently, per host; shared by the endpoints given the same instance.</summary>
    /// <remarks>Defaults to <see langword="null"/>: no history.</remarks>
    public ConnectionHistory? History { get; init; }

    /// <summary>Resolves <see cref="Host"/>, one family per query (SPEC R11). Defaults to <see cref="SystemResolver.Instance"/>.</summary>
    public IHostResolver Resolver { get; init; } = SystemResolver.Instance;

    /// <summary>The clock for the delays and the timeout. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where connect events are logged. Defaults to <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// Where the meter named <c>DualStack</c> comes from: connect and resolution durations and attempt counts
    /// (see <c>docs/diagnostics.md</c>). Spans go to the <c>DualStack</c> activity source whatever this is.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the shared static meter named <c>DualStack</c>.</remarks>
    public IMeterFactory? MeterFactory
    {
        get => (IMeterFactory?)_meterFactory;
        init => _meterFactory = value;
    }

    /// <summary>Makes one attempt (tests script attempts or open sockets in a network namespace); <see langword="null"/> for TCP.</summary>
    internal Func<IPEndPoint, CancellationToken, ValueTask<Socket>>? Connector { get; init; }

    /// <summary>The address when <see cref="Host"/> is a literal; <see langword="null"/> for a host name.</summary>
    internal IPAddress? Literal => _literal;

    private string Target => _literal?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <inheritdoc />
    /// <exception cref="ConnectionRaceException">Every attempt failed, or the timeout passed; lists every attempt.</exception>
    /// <exception cref="HostResolutionException">The name could not be resolved, or has no address of a usable family.</exception>
    /// <exception cref="ArgumentException"><see cref="BindEndPoint"/> and <see cref="Family"/> name different families.</exception>
    public async ValueTask<StreamConnection> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var won = await ConnectAsync(s_noStep, s_releaseNothing, cancellationToken).ConfigureAwait(false);
        try
        {
            return StreamConnection.FromConnectedSocket(won.Socket, won.Attempts);
        }
        catch
        {
            // Reading the endpoints can fail (a peer that reset at once): the socket is still ours to close.
            won.Socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects, where an attempt wins only once <paramref name="afterConnect"/> has completed on its socket as well
    /// (the TLS endpoint's handshake race); a step that fails fails its attempt, and the next one starts at once.
    /// </summary>
    internal Task<RaceWinner<T>> ConnectAsync<T>(
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect, Func<T, ValueTask> release, CancellationToken cancellationToken)
        where T : class
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Bad arguments are the caller's error, not a failed connect: thrown before any span or measurement.
        if (BindEndPoint is { } bind && Family != AddressFamily.Unspecified && bind.AddressFamily != Family)
        {
            throw new ArgumentException($"bind address {IPLiteral.FormatEndPoint(bind)} is not of the family the endpoint is restricted to ({Family})");
        }

        var metrics = _meterFactory is not null ? MetricsFromFactory() : DualStackMetrics.ForConnect;
        return metrics.ConnectDurationEnabled || DualStackActivities.HasListeners
            ? ObservedConnectAsync(afterConnect, release, metrics, cancellationToken)
            : ConnectCoreAsync(afterConnect, release, metrics, cancellationToken);
    }

    // The connect measured (dualstack.connect.duration) and traced (a dualstack.connect span); the race runs under the
    // span (an async method's Activity.Current goes back to the caller's on return).
    private async Task<RaceWinner<T>> ObservedConnectAsync<T>(
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect, Func<T, ValueTask> release, DualStackMetrics metrics, CancellationToken cancellationToken)
        where T : class
    {
        using var activity = DualStackActivities.StartConnect(Host, Port);
        long start = TimeProvider.GetTimestamp();
        try
        {
            var won = await ConnectCoreAsync(afterConnect, release, metrics, cancellationToken).ConfigureAwait(false);
            try
            {
                var remote = won.Attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Connected)?.RemoteEndPoint;
                metrics.RecordConnect(TimeProvider.GetElapsedTime(start), remote is null ? null : IPLiteral.Unmap(remote).AddressFamily, errorType: null);
                if (activity is not null)
                {
                    DualStackActivities.StopConnect(activity, remote, won.Attempts.Count, error: null);
                }
            }
            catch
            {
                // A metrics or activity listener that throws fails the connect, and the connection is closed, not leaked.
                await ConnectionRace.ReleaseAsync(won, release).ConfigureAwait(false);
                throw;
            }

            return won;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            metrics.RecordConnect(TimeProvider.GetElapsedTime(start), family: null, ErrorTypes.Of(e));
            if (activity is not null)
            {
                DualStackActivities.StopConnect(activity, winner: null, (e as ConnectionRaceException)?.Attempts.Count ?? 0, e);
            }

            throw;
        }
    }

    private async Task<RaceWinner<T>> ConnectCoreAsync<T>(
        Func<Socket, IPEndPoint, CancellationToken, ValueTask<T>> afterConnect, Func<T, ValueTask> release, DualStackMetrics metrics, CancellationToken cancellationToken)
        where T : class
    {
        // Fields rather than properties where there are fields: a fresh process compiles every accessor it calls.
        var only = BindEndPoint?.AddressFamily ?? _family;
        bool sequential = Policy == ConnectPolicy.Sequential;
        var settings = new RaceSettings(
            sequential ? Timeout.InfiniteTimeSpan : _attemptDelay,
            sequential ? 1 : _maxConcurrentAttempts,
            _connectTimeout,
            BindEndPoint,
            TimeProvider,
            LoggerFactory,
            Connector,
            metrics,
            Host);

        RaceWinner<T> won;
        if (_literal is not null)
        {
            // Nothing to resolve and nothing to race: one attempt.
            if (only != AddressFamily.Unspecified && only != _literal.AddressFamily)
            {
                throw new HostResolutionException(Host, ResolutionError.FamilyNotSupported, "the address is not of the family asked for", null);
            }

            won = await ConnectionRace.ConnectAsync(Target, candidates: null, new IPEndPoint(_literal, Port), settings, afterConnect, release, cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            var preferred = only != AddressFamily.Unspecified ? only
                : History is not null && History.TryGetWinningFamily(Host, out var winner) ? winner
                : _preferredFamily;
            var candidates = new HostCandidates(
                Resolver, Host, Port, preferred, only == AddressFamily.Unspecified, !sequential, _firstAddressFamilyCount, _resolutionDelay, TimeProvider, metrics);
            try
            {
                won = await ConnectionRace.ConnectAsync(Target, candidates, only: null, settings, afterConnect, release, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionRaceException e) when (e.TimedOut && e.Attempts.Count == 0)
            {
                throw new HostResolutionException(Host, ResolutionError.Timeout, $"no address within {_connectTimeout.TotalMilliseconds:0} ms", e);
            }
        }

        if (won.Socket.RemoteEndPoint is IPEndPoint remote)
        {
            History?.Record(Host, IPLiteral.Unmap(remote).AddressFamily);
        }

        return won;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private DualStackMetrics MetricsFromFactory() => DualStackMetrics.For(MeterFactory);

    /// <summary>The endpoint's URI-style description, such as <c>tcp://example.com:443</c>.</summary>
    public override string ToString() => EndpointDescription.Format(this, DescriptionSyntax.Uri);

    private static AddressFamily CheckFamily(AddressFamily value, bool allowUnspecified, string paramName) =>
        value is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 || (allowUnspecified && value == AddressFamily.Unspecified)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, "the family must be InterNetwork or InterNetworkV6" + (allowUnspecified ? " or Unspecified" : string.Empty));
}
