namespace DualStack;

/// <summary>Something that can be listened on for byte-stream connections: an address, every interface, one interface, TLS over any of them.</summary>
/// <remarks>
/// Endpoints are immutable descriptions; each <see cref="ListenAsync"/> call binds new sockets. Every endpoint
/// formats to a description (<see cref="object.ToString"/>) that <see cref="EndpointDescription.ParseServer(string)"/>
/// turns back into an equal endpoint.
/// </remarks>
public interface IStreamServerEndpoint
{
    /// <summary>Binds every socket the endpoint stands for and starts listening.</summary>
    /// <param name="cancellationToken">Cancels the bind; sockets already bound are closed.</param>
    /// <returns>One listener over all the sockets; the caller owns it and disposes it to stop.</returns>
    /// <exception cref="ListenException">A socket could not be bound; nothing is left bound.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<IStreamListener> ListenAsync(CancellationToken cancellationToken = default);
}
