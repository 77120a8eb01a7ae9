using System.Net;

namespace DualStack;

/// <summary>A listener over one or more bound sockets, accepting from all of them as one.</summary>
/// <remarks>
/// <para>
/// <see cref="StopAsync"/> stops gracefully: the sockets stop listening, and the connections whose handshake had
/// already completed are still handed out by <see cref="AcceptAsync"/>, which then returns <see langword="null"/>.
/// </para>
/// <para>
/// Disposing stops the listener and closes whatever was not taken: pending <see cref="AcceptAsync"/> calls return
/// <see langword="null"/>, queued connections and every socket are closed. Connections already handed out stay
/// open; their owners close them.
/// </para>
/// </remarks>
public interface IStreamListener : IAsyncDisposable
{
    /// <summary>Every local endpoint the listener is bound to, with the actual port when port 0 was asked for.</summary>
    IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>Waits for the next connection on any of the listener's sockets.</summary>
    /// <param name="cancellationToken">Cancels the wait (not the listener).</param>
    /// <returns>The connection, or <see langword="null"/> once the listener has been stopped.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<StreamConnection?> AcceptAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops listening on every socket; connections already established can still be accepted, then <see cref="AcceptAsync"/> returns <see langword="null"/>.</summary>
    /// <param name="cancellationToken">Cancels waiting for the stop to finish (the stop itself goes on).</param>
    /// <returns>A task that completes when no socket listens any more.</returns>
    ValueTask StopAsync(CancellationToken cancellationToken = default);
}
