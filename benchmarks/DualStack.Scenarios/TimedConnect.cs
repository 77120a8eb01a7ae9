using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DualStack.Scenarios;

// The two clients every child times, in one place: the measure command (many connects in one process) and the
// cold-once command (one connect in a fresh process) connect with exactly this code. A connect is cancelled after the
// cap and reported as capped; an error from the connect is a failed sample; anything else (a bug, a connection that
// left the lab) ends the child.
//
// Nothing here touches a DualStack type on the plain path: a cold-start child that connects with plain .NET must not
// load the DualStack assembly before it has connected.

/// <summary>One timed connect with <see cref="HostnameEndpoint"/> or with a plain .NET socket.</summary>
internal static class TimedConnect
{
    /// <summary>Connects with <paramref name="endpoint"/> and times it.</summary>
    /// <param name="endpoint">The endpoint, as the caller configured it.</param>
    /// <param name="cap">When to give up; the cap starts when this method does.</param>
    /// <param name="start">The timestamp (<see cref="TimeProvider.System"/>) the sample's time counts from.</param>
    /// <param name="cancellationToken">Stops the run (not a capped sample).</param>
    /// <exception cref="LabEscapeException">The connection is not between two lab addresses.</exception>
    public static async Task<Sample> DualStackAsync(HostnameEndpoint endpoint, TimeSpan cap, long start, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(cap);
        try
        {
            await using var connection = await endpoint.ConnectAsync(bounded.Token);
            double ms = TimeProvider.System.GetElapsedTime(start).TotalMilliseconds;
            return Connected(ms, connection.LocalEndPoint, connection.RemoteEndPoint) with
            {
                Attempts = string.Join(" / ", connection.Attempts.Select(FormatAttempt)),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Sample(cap.TotalMilliseconds, Sample.Capped, null, null, null, null);
        }
        catch (Exception e) when (e is ConnectionRaceException or HostResolutionException)
        {
            return Failed(start, e);
        }
    }

    /// <summary>
    /// Connects as .NET's own code does (<c>SocketsHttpHandler</c>, <c>TcpClient</c>): a dual-mode socket, and
    /// <c>ConnectAsync</c> to <paramref name="remote"/>, which for a <see cref="DnsEndPoint"/> tries every address of
    /// the name one after the other. The socket is made inside the timed span.
    /// </summary>
    /// <inheritdoc cref="DualStackAsync" path="/param[@name='cap' or @name='start' or @name='cancellationToken']"/>
    /// <exception cref="LabEscapeException">The connection is not between two lab addresses.</exception>
    public static async Task<Sample> PlainAsync(EndPoint remote, TimeSpan cap, long start, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(cap);
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(remote, bounded.Token);
            double ms = TimeProvider.System.GetElapsedTime(start).TotalMilliseconds;
            return Connected(ms, socket.LocalEndPoint, socket.RemoteEndPoint);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException && bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new Sample(cap.TotalMilliseconds, Sample.Capped, null, null, null, null);
        }
        catch (SocketException e)
        {
            return Failed(start, e);
        }
    }

    /// <summary>The sample in a few words, for the log.</summary>
    public static string Describe(Sample sample) => sample.Outcome switch
    {
        Sample.Connected => $"{sample.Ms:0.00} ms via {sample.Remote}{(sample.Attempts is null ? "" : $" [{sample.Attempts}]")}",
        Sample.Capped => $"capped at {sample.Ms:0} ms",
        _ => $"failed after {sample.Ms:0.0} ms: {sample.Error}",
    };

    // Every connection must have left from the client namespace's own addresses towards the lab's: anything else
    // means a socket escaped the lab, and the whole run is void.
    private static Sample Connected(double ms, EndPoint? local, EndPoint? remote)
    {
        if (local is not IPEndPoint localIP || remote is not IPEndPoint remoteIP || !LabAddresses.Contains(localIP.Address) || !LabAddresses.Contains(remoteIP.Address))
        {
            throw new LabEscapeException($"a connection went from {local} to {remote}, outside the lab's 2001:2::/48 and 198.18.0.0/15");
        }

        return new Sample(ms, Sample.Connected, LabAddresses.FamilyName(remoteIP.Address), Format(localIP), Format(remoteIP), null);
    }

    private static Sample Failed(long start, Exception e) =>
        new(TimeProvider.System.GetElapsedTime(start).TotalMilliseconds, Sample.Failed, null, null, null, $"{e.GetType().Name}: {e.Message}");

    private static string FormatAttempt(ConnectionAttempt a) => string.Create(
        CultureInfo.InvariantCulture,
        $"{IPLiteral.FormatEndPoint(a.RemoteEndPoint)} {a.Started.TotalMilliseconds:0.0}-{a.Ended.TotalMilliseconds:0.0} ms {a.Outcome.ToString().ToLowerInvariant()}");

    // IPEndPoint's own formatting ([addr]:port, RFC 5952) rather than IPLiteral's: the lab's addresses have no zone,
    // where the two differ, and the plain path stays free of DualStack types.
    private static string Format(IPEndPoint endPoint) =>
        (endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint).ToString();
}
