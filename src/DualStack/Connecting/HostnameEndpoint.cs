using System.Net;
using System.Net.Sockets;
using DualStack.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>
/// Connects to a host by name over whichever address family works first (Happy Eyeballs, RFC 8305).
/// </summary>
/// <remarks>
/// <para>
/// The name's IPv6 and IPv4 addresses are asked for separately and at once; the families are interleaved,
/// IPv6 first, and attempts start one at a time, <see cref="AttemptDelay"/> apart, or at once when the
/// latest attempt fails. The first attempt to connect wins; the others are cancelled and their sockets
/// closed (SPEC R8). If every attempt fails, or <see cref="ConnectTimeout"/> passes, the caller gets one
/// <see cref="ConnectionRaceException"/> listing every attempt (SPEC R9); if the name cannot be resolved,
/// a <see cref="HostResolutionException"/>.
/// </para>
/// <para>
/// The host may also be an address literal, which is connected to directly. Two endpoints are equal when
/// their host, port and settings are equal and they share the same injected services.
/// </para>
/// </remarks>
public sealed record HostnameEndpoint : IStreamClientEndpoint
{
    private readonly TimeSpan _attemptDelay = DefaultAttemptDelay;
    private readonly TimeSpan _connectTimeout = DefaultConnectTimeout;
    private readonly IPAddress? _literal;

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

    /// <summary>The default <see cref="AttemptDelay"/>: 250 ms, RFC 8305 section 8's recommendation.</summary>
    public static TimeSpan DefaultAttemptDelay { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The smallest <see cref="AttemptDelay"/> accepted: 10 ms (RFC 8305 section 5).</summary>
    public static TimeSpan MinAttemptDelay { get; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The largest <see cref="AttemptDelay"/> accepted: 2 s (RFC 8305 section 5).</summary>
    public static TimeSpan MaxAttemptDelay { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The default <see cref="ConnectTimeout"/>: 30 seconds.</summary>
    public static TimeSpan DefaultConnectTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The host: the ASCII form of a name, or a formatted literal.</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>How long to wait for an attempt before starting the next one alongside it.</summary>
    /// <remarks>Defaults to <see cref="DefaultAttemptDelay"/> (250 ms); must lie between 10 ms and 2 s.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 10 ms - 2 s.</exception>
    public TimeSpan AttemptDelay
    {
        get => _attemptDelay;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinAttemptDelay, nameof(AttemptDelay));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxAttemptDelay, nameof(AttemptDelay));
            _attemptDelay = value;
        }
    }

    /// <summary>How long the whole connect (resolution and every attempt) may take.</summary>
    /// <remarks>Defaults to <see cref="DefaultConnectTimeout"/> (30 s). <see cref="Timeout.InfiniteTimeSpan"/> leaves each attempt to the OS's own timeout.</remarks>
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

    /// <summary>Resolves <see cref="Host"/>, one family per query (SPEC R11). Defaults to <see cref="SystemResolver.Instance"/>.</summary>
    public IHostResolver Resolver { get; init; } = SystemResolver.Instance;

    /// <summary>The clock for the attempt delay and the timeout. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where connect events are logged. Defaults to <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <inheritdoc />
    /// <exception cref="ConnectionRaceException">Every attempt failed, or the timeout passed; lists every attempt.</exception>
    /// <exception cref="HostResolutionException">The name could not be resolved, or has no address of a usable family.</exception>
    public async ValueTask<StreamConnection> ConnectAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long start = TimeProvider.GetTimestamp();
        using var timeoutSource = new CancellationTokenSource(ConnectTimeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        IReadOnlyList<IPEndPoint> candidates;
        try
        {
            candidates = await ResolveCandidatesAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw new HostResolutionException(Host, ResolutionError.Timeout, $"no answer within {ConnectTimeout.TotalMilliseconds:0} ms", null);
        }

        var bind = BindEndPoint;
        var result = await ConnectionRace.RunAsync(
            candidates,
            AttemptDelay,
            (remote, token) => SocketConnector.ConnectAsync(remote, bind, Timeout.InfiniteTimeSpan, TimeProvider, token),
            TimeProvider,
            start,
            linked.Token).ConfigureAwait(false);

        if (result.Winner is { } socket)
        {
            return StreamConnection.FromConnectedSocket(socket);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new ConnectionRaceException(Host, Port, result.Attempts, timedOut: timeoutSource.IsCancellationRequested);
    }

    /// <summary>The endpoint's URI-style description, such as <c>tcp://example.com:443</c>.</summary>
    public override string ToString() => EndpointDescription.Format(this, DescriptionSyntax.Uri);

    private async Task<IReadOnlyList<IPEndPoint>> ResolveCandidatesAsync(CancellationToken cancellationToken)
    {
        if (_literal is not null)
        {
            return [new IPEndPoint(_literal, Port)];
        }

        var family = BindEndPoint?.AddressFamily;
        var v6 = family is null or AddressFamily.InterNetworkV6
            ? Resolver.ResolveAsync(Host, Port, AddressFamily.InterNetworkV6, cancellationToken).AsTask()
            : Task.FromResult(new HostAddresses([], isOrdered: true, canonicalName: null));
        var v4 = family is null or AddressFamily.InterNetwork
            ? Resolver.ResolveAsync(Host, Port, AddressFamily.InterNetwork, cancellationToken).AsTask()
            : Task.FromResult(new HostAddresses([], isOrdered: true, canonicalName: null));

        try
        {
            await Task.WhenAll(v6, v4).ConfigureAwait(false);
        }
        catch (HostResolutionException) when (v6.IsCompletedSuccessfully || v4.IsCompletedSuccessfully)
        {
            // One family failed; the other answered. Connect with what there is.
        }

        var ipv6 = v6.IsCompletedSuccessfully ? v6.Result.EndPoints : [];
        var ipv4 = v4.IsCompletedSuccessfully ? v4.Result.EndPoints : [];
        if (ipv6.Count + ipv4.Count == 0)
        {
            throw v6.Exception?.InnerException ?? v4.Exception?.InnerException
                ?? new HostResolutionException(Host, ResolutionError.NoData, "the name has no address" + (family is null ? "" : " of the bind address's family"), null);
        }

        return Interleave(ipv6, ipv4);
    }

    // RFC 8305 section 4: alternate the families, starting with the preferred one (IPv6, as RFC 6724's
    // default policy prefers it), so that one broken family costs at most one attempt delay.
    internal static List<IPEndPoint> Interleave(IReadOnlyList<IPEndPoint> first, IReadOnlyList<IPEndPoint> second)
    {
        var result = new List<IPEndPoint>(first.Count + second.Count);
        for (int i = 0; i < Math.Max(first.Count, second.Count); i++)
        {
            if (i < first.Count)
            {
                result.Add(first[i]);
            }

            if (i < second.Count)
            {
                result.Add(second[i]);
            }
        }

        return result;
    }
}
