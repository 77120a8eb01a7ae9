using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>Makes <see cref="HostnameEndpoint"/>s with the <see cref="DualStackOptions"/> defaults and the container's services.</summary>
/// <remarks>
/// <c>services.AddDualStack()</c> registers one as a singleton, built from the container's
/// <see cref="ILoggerFactory"/>, <see cref="IMeterFactory"/> and <see cref="TimeProvider"/> when it has them.
/// </remarks>
public sealed class HostnameEndpointFactory
{
    private readonly DualStackOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IMeterFactory? _meterFactory;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a factory.</summary>
    /// <param name="options">The defaults; read once, here.</param>
    /// <param name="loggerFactory">Where endpoints log; <see langword="null"/> for <see cref="NullLoggerFactory.Instance"/>.</param>
    /// <param name="meterFactory">Where their meter comes from; <see langword="null"/> for the shared static meter.</param>
    /// <param name="timeProvider">Their clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><see cref="DualStackOptions.Connect"/> is <see langword="null"/>.</exception>
    public HostnameEndpointFactory(DualStackOptions options, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _meterFactory = meterFactory;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _ = options.Connect ?? throw new ArgumentException("DualStackOptions.Connect is null", nameof(options));
    }

    /// <summary>Makes an endpoint for <paramref name="host"/> and <paramref name="port"/> with the defaults.</summary>
    /// <param name="host">A host name or an address literal.</param>
    /// <param name="port">The port, 0-65535.</param>
    /// <returns>The endpoint; change any setting with <c>with { … }</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="host"/> is neither a valid host name nor a valid literal.</exception>
    public HostnameEndpoint Create(string host, int port) => Apply(new HostnameEndpoint(host, port));

    /// <summary>Gives <paramref name="endpoint"/> the defaults and the services (its host and port stay).</summary>
    internal HostnameEndpoint Apply(HostnameEndpoint endpoint) => endpoint with
    {
        Options = _options.Connect,
        Resolver = _options.Resolver ?? SystemResolver.Instance,
        History = _options.History,
        LoggerFactory = _loggerFactory,
        MeterFactory = _meterFactory,
        TimeProvider = _timeProvider,
    };
}
