using System.Net;

namespace DualStack;

/// <summary>A listener over one or more bound sockets, accepting from all of them as one.</summary>
/// <remarks>
/// Disposing stops the listener: no more accepts, pending <see cref="AcceptAsync"/> calls return
/// <see langword="null"/>, connections accepted but not yet taken are closed, and every socket is closed.
/// Connections already handed out stay open; their owners close them.
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
}
