namespace DualStack.Scenarios;

/// <summary>A listener in the lab's server namespace that accepts every connection and closes it at once.</summary>
/// <remarks>The clients time the connect only; the accept loop keeps the accept queue empty, so no SYN is ever dropped for lack of room.</remarks>
internal sealed class AcceptingServer : IAsyncDisposable
{
    private readonly IStreamListener _listener;
    private readonly Task _loop;

    private AcceptingServer(IStreamListener listener)
    {
        _listener = listener;
        _loop = AcceptAllAsync(listener);
    }

    /// <summary>The listening port.</summary>
    public int Port => _listener.LocalEndPoints[0].Port;

    /// <summary>The bound endpoints, for the log.</summary>
    public IReadOnlyList<System.Net.IPEndPoint> LocalEndPoints => _listener.LocalEndPoints;

    /// <summary>Listens on <paramref name="endpoint"/>, its sockets created on <paramref name="ns"/>'s thread.</summary>
    public static async Task<AcceptingServer> StartAsync(DualStack.Tests.Shared.Lab.NetworkNamespace ns, TcpServerEndpoint endpoint, CancellationToken cancellationToken)
    {
        // Only the socket calls run on the namespace's thread; the accept loop starts out here, in the root namespace,
        // so that no runtime thread is started from inside the namespace.
        var listener = await ns.Run(() => endpoint.ListenAsync(cancellationToken).AsTask());
        return new AcceptingServer(listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _loop;
    }

    private static async Task AcceptAllAsync(IStreamListener listener)
    {
        await Task.Yield();
        while (await listener.AcceptAsync() is { } connection)
        {
            await connection.DisposeAsync();
        }
    }
}
