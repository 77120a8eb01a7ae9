namespace DualStack;

/// <summary>
/// A client endpoint that races connection attempts and can make a step run after connecting, such as a TLS handshake,
/// part of each attempt: an attempt then wins only once its step has completed, so an address where TCP connects but
/// the step stalls or fails loses to one where it completes.
/// </summary>
/// <remarks>
/// <see cref="HostnameEndpoint"/> is one; <see cref="TlsClientEndpoint"/> with <c>RaceThroughHandshake</c> uses it.
/// </remarks>
public interface IRacingClientEndpoint : IStreamClientEndpoint
{
    /// <summary>Connects, where each attempt runs <paramref name="afterConnect"/> on its connection before it can win.</summary>
    /// <param name="afterConnect">
    /// Runs on each attempt's new connection and returns the stream the caller gets over it (an <c>SslStream</c> around
    /// the connection's stream). A step that throws fails its attempt, whose connection is then closed, and the next
    /// attempt starts at once; a step that finishes after another attempt won has its stream disposed.
    /// </param>
    /// <param name="cancellationToken">Cancels the connect; every attempt's connection is closed.</param>
    /// <returns>The winning connection, carrying the stream its step returned.</returns>
    ValueTask<StreamConnection> ConnectAsync(Func<StreamConnection, CancellationToken, ValueTask<Stream>> afterConnect, CancellationToken cancellationToken);
}
