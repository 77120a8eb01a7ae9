using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using DualStack.Diagnostics;
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
/// <see cref="AttemptDelay"/> apart, or at once when an attempt fails. The first attempt to connect wins; the
/// others are cancelled and their sockets closed. The winning connection's
/// <see cref="StreamConnection.Attempts"/> holds the timeline.
/// </para>
/// <para>
/// If every attempt fails, or <see cref="ConnectTimeout"/> passes, the caller gets one <see cref="ConnectionRaceException"/>
/// listing every attempt with its address, timing and error; if the name cannot be resolved, a
/// <see cref="HostResolutionException"/>.
/// The connect policies are properties: <see cref="Family"/> restricts, <see cref="PreferredFamily"/> and
/// <see cref="History"/> choose who goes first, <see cref="Policy"/> selects the sequential policy, and
/// <see cref="MaxConcurrentAttempts"/> caps the race.
/// </para>
/// <para>
/// The host may also be an address literal, which is connected to directly. Two endpoints are equal when their
/// settings are equal and they share the same injected services (resolver, history, clock, logger factory).
/// </para>
/// </remarks>
public sealed record HostnameEndpoint : IRacingClientEndpoint
{
    private static readonly Func<Socket, IPEndPoint, CancellationToken, ValueTask<Socket>> s_noStep = static (socket, _, _) => ValueTask.FromResult(socket);
    private static readonly Func<Socket, ValueTask> s_releaseNothing = static _ => ValueTask.CompletedTask;
    private static readonly Func<Stream, ValueTask> s_disposeStream = static stream => stream.DisposeAsync();

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

    /// <summary>The host: the ASCII form of a name, or a formatted literal.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The connect settings: policy, delays, families, cap and timeout, with their defaults and ranges.</summary>
    /// <remarks>
    /// Defaults to <see cref="ConnectOptions.Default"/>. The properties below of the same names read and write it, one
    /// setting at a time.
    /// </remarks>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public ConnectOptions Options
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value;
        }
    } = ConnectOptions.Default;

    /// <inheritdoc cref="ConnectOptions.Policy"/>
    public ConnectPolicy Policy
    {
        get => Options.Policy;
        init => Options = Options with { Policy = value };
    }

    /// <inheritdoc cref="ConnectOptions.AttemptDelay"/>
    public TimeSpan AttemptDelay
    {
        get => Options.AttemptDelay;
        init => Options = Options with { AttemptDelay = value };
    }

    /// <inheritdoc cref="ConnectOptions.ResolutionDelay"/>
    public TimeSpan ResolutionDelay
    {
        get => Options.ResolutionDelay;
        init => Options = Options with { ResolutionDelay = value };
    }

    /// <inheritdoc cref="ConnectOptions.FirstAddressFamilyCount"/>
    public int FirstAddressFamilyCount
    {
        get => Options.FirstAddressFamilyCount;
        init => Options = Options with { FirstAddressFamilyCount = value };
    }

    /// <inheritdoc cref="ConnectOptions.MaxConcurrentAttempts"/>
    public int MaxConcurrentAttempts
    {
        get => Options.MaxConcurrentAttempts;
        init => Options = Options with { MaxConcurrentAttempts = value };
    }

    /// <inheritdoc cref="ConnectOptions.Family"/>
    public AddressFamily Family
    {
        get => Options.Family;
        init => Options = Options with { Family = value };
    }

    /// <inheritdoc cref="ConnectOptions.PreferredFamily"/>
    public AddressFamily PreferredFamily
    {
        get => Options.PreferredFamily;
        init => Options = Options with { PreferredFamily = value };
    }

    /// <inheritdoc cref="ConnectOptions.ConnectTimeout"/>
    public TimeSpan ConnectTimeout
    {
        get => Options.ConnectTimeout;
        init => Options = Options with { ConnectTimeout = value };
    }

    /// <inheritdoc cref="ConnectOptions.SynthesizeNat64"/>
    public bool SynthesizeNat64
    {
        get => Options.SynthesizeNat64;
        init => Options = Options with { SynthesizeNat64 = value };
    }

    /// <summary>The local address and port to bind each attempt's socket to; only addresses of its family are tried.</summary>
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

    /// <summary>Resolves <see cref="Host"/>, one family per query. Defaults to <see cref="SystemResolver.Instance"/>.</summary>
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

    // <summary>Makes one attempt (tests script attempts or open sockets in a network namespace); <see langword="null"/> for TCP.</summary>
    internal Func<IPEndPoint, CancellationToken, ValueTask<Socket>>? Connector { get; init; }

    // <summary>Whether this host has an IPv4 route to an address (tests stand in for an IPv6-only host); <see langword="null"/> asks the kernel.</summary>
    internal Func<IPAddress, bool>? HasIPv4Route { get; init; }

    // <summary>The address when <see cref="Host"/> is a literal; <see langword="null"/> for a host name.</summary>
    internal IPAddress? Literal => _literal;

    private string Target => _literal?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <inheritdoc />
    /// <exception cref="ConnectionRaceException">Every attempt failed, or the timeout passed; lists every attempt.</exception>
    /// <exception cref="HostResolutionException">The name could not be resolved, or has no address of a usable family.</exception>
    /// <exception cref="ArgumentException"><see cref="BindEndPoint"/> and <see cref="Family"/> name different families.</exception>
#pragma warning disable RS0027 // Every endpoint's connect takes an optional token (IStreamClientEndpoint); the racing overload's is required.
    public async ValueTask<StreamConnection> ConnectAsync(CancellationToken cancellationToken = default)
#pragma warning restore RS0027
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

    /// <inheritdoc />
    /// <exception cref="ConnectionRaceException">Every attempt failed (its step included), or the timeout passed; lists every attempt.</exception>
    /// <exception cref="HostResolutionException">The name could not be resolved, or has no address of a usable family.</exception>
    public async ValueTask<StreamConnection> ConnectAsync(Func<StreamConnection, CancellationToken, ValueTask<Stream>> afterConnect, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(afterConnect);
        var won = await ConnectAsync(
            (socket, _, token) => afterConnect(StreamConnection.FromConnectedSocket(socket), token),
            s_disposeStream,
            cancellationToken).ConfigureAwait(false);
        try
        {
            return new StreamConnection(won.Value, won.Socket, won.Socket.LocalEndPoint, won.Socket.RemoteEndPoint) { Attempts = won.Attempts };
        }
        catch
        {
            await ConnectionRace.ReleaseAsync(won, s_disposeStream).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Connects, where an attempt wins only once <paramref name="afterConnect"/> has completed on its socket as well; a
    /// step that fails fails its attempt, and the next one starts at once.
    /// </summary>
    private Task<RaceWinner<T>> ConnectAsync<T>(
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
        var options = Options;
        var only = BindEndPoint?.AddressFamily ?? options.Family;
        // NAT64 synthesis needs both families; its route check, when on.
        var hasIPv4Route = options.SynthesizeNat64 && only == AddressFamily.Unspecified ? HasIPv4Route ?? Nat64.HasIPv4Route : null;
        bool sequential = options.Policy == ConnectPolicy.Sequential;
        var settings = new RaceSettings(
            sequential ? Timeout.InfiniteTimeSpan : options.AttemptDelay,
            sequential ? 1 : options.MaxConcurrentAttempts,
            options.ConnectTimeout,
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

            var endPoint = new IPEndPoint(_literal, Port);
            won = hasIPv4Route is not null && _literal.AddressFamily == AddressFamily.InterNetwork && !hasIPv4Route(_literal)
                ? await ConnectionRace.ConnectAsync(Target, SynthesizedCandidatesAsync(endPoint, hasIPv4Route, CancellationToken.None), only: null, settings, afterConnect, release, cancellationToken)
                    .ConfigureAwait(false)
                : await ConnectionRace.ConnectAsync(Target, candidates: null, endPoint, settings, afterConnect, release, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var preferred = only != AddressFamily.Unspecified ? only
                : History is not null && History.TryGetWinningFamily(Host, out var winner) ? winner
                : options.PreferredFamily;
            var candidates = new HostCandidates(
                Resolver,
                Host,
                Port,
                preferred,
                only == AddressFamily.Unspecified,
                !sequential,
                options.FirstAddressFamilyCount,
                options.ResolutionDelay,
                hasIPv4Route,
                TimeProvider,
                metrics);
            try
            {
                won = await ConnectionRace.ConnectAsync(Target, candidates, only: null, settings, afterConnect, release, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionRaceException e) when (e.TimedOut && e.Attempts.Count == 0)
            {
                throw new HostResolutionException(Host, ResolutionError.Timeout, $"no address within {options.ConnectTimeout.TotalMilliseconds:0} ms", e);
            }
            catch (HostResolutionException e) when (
                BindEndPoint is { } bound && options.Family == AddressFamily.Unspecified && e.Error is ResolutionError.NoSuchName or ResolutionError.NoData)
            {
                // The name may well have addresses, of the other family: say why only one family was asked for.
                string family = bound.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                throw new HostResolutionException(
                    Host, e.Error, $"{e.Detail}; only {family} addresses were asked for, since the bind address {IPLiteral.FormatEndPoint(bound)} is {family}", e);
            }
        }

        if (won.Socket.RemoteEndPoint is IPEndPoint remote)
        {
            History?.Record(Host, IPLiteral.Unmap(remote).AddressFamily);
        }

        return won;
    }

    // An IPv4 literal this host has no route to: the addresses that reach it through NAT64, found within the connect's
    // timeout and cancellation (or the literal, marked unreachable, when the network has no NAT64 prefix).
    private async IAsyncEnumerable<IPEndPoint> SynthesizedCandidatesAsync(
        IPEndPoint endPoint, Func<IPAddress, bool> hasIPv4Route, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var answer = await Nat64.SynthesizeAsync(new HostAddresses([endPoint], isOrdered: true, canonicalName: null), Resolver, hasIPv4Route, TimeProvider, cancellationToken)
            .ConfigureAwait(false);
        foreach (var candidate in answer.EndPoints)
        {
            yield return candidate;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private DualStackMetrics MetricsFromFactory() => DualStackMetrics.For(MeterFactory);

    /// <summary>The endpoint's URI-style description, such as <c>tcp://example.com:443</c>.</summary>
    public override string ToString() => EndpointText.Of(this);
}
