using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack;

// <summary>
// What one race runs with, validated already by whoever made it: a <see cref="HostnameEndpoint"/> from its own
// properties, or <see cref="ConnectionRaceOptions"/> for the public race.
// </summary>
// <remarks>
// Plain read-only fields set by one constructor, rather than the options record: a fresh process compiles every method
// it runs, and a connect by name should not pay for twenty property accessors and their range checks twice over.
// </remarks>
internal sealed class RaceSettings(
    TimeSpan attemptDelay,
    int maxConcurrentAttempts,
    TimeSpan connectTimeout,
    IPEndPoint? bindEndPoint,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory,
    Func<IPEndPoint, CancellationToken, ValueTask<Socket>>? connector,
    DualStackMetrics metrics,
    string? serverAddress)
{
#pragma warning disable SA1401, CA1051 // Fields on purpose (see remarks); the type is internal and immutable.
    public readonly TimeSpan AttemptDelay = attemptDelay;
    public readonly int MaxConcurrentAttempts = maxConcurrentAttempts;
    public readonly TimeSpan ConnectTimeout = connectTimeout;
    public readonly IPEndPoint? BindEndPoint = bindEndPoint;
    public readonly TimeProvider TimeProvider = timeProvider;
    public readonly ILoggerFactory LoggerFactory = loggerFactory;
    public readonly Func<IPEndPoint, CancellationToken, ValueTask<Socket>>? Connector = connector;
    public readonly DualStackMetrics Metrics = metrics;
    public readonly string? ServerAddress = serverAddress;
#pragma warning restore SA1401, CA1051
}
