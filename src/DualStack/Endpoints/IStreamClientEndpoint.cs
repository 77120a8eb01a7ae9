namespace DualStack;

/// <summary>Something that can be connected to, giving a byte stream: a TCP address, a host name, TLS over either.</summary>
/// <remarks>
/// Endpoints are immutable descriptions of where and how to connect; each <see cref="ConnectAsync"/> call
/// makes a new connection. Every endpoint formats to a description (<see cref="object.ToString"/>) that
/// <see cref="EndpointDescription.ParseClient(string)"/> turns back into an equal endpoint.
/// </remarks>
public interface IStreamClientEndpoint
{
    /// <summary>Connects.</summary>
    /// <param name="cancellationToken">Cancels the connect; every socket opened for it is closed.</param>
    /// <returns>The established connection, which the caller owns.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The connection could not be made: a <see cref="ConnectException"/> or a <see cref="HostResolutionException"/>.</exception>
    ValueTask<StreamConnection> ConnectAsync(CancellationToken cancellationToken = default);
}
