using System.Net;
using System.Net.Sockets;

namespace DualStack;

// <summary>Opens one TCP socket and connects it, closing it on every failure.</summary>
internal static class SocketConnector
{
    public static ValueTask<Socket> ConnectAsync(
        IPEndPoint remote,
        IPEndPoint? bind,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ConnectAsync(new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp), remote, bind, timeout, timeProvider, cancellationToken);
    }

    // <summary>Connects a socket the caller made (a test makes it inside a network namespace); closes it on failure.</summary>
    public static async ValueTask<Socket> ConnectAsync(
        Socket socket,
        IPEndPoint remote,
        IPEndPoint? bind,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        // A race passes no timeout of its own (its token carries the race's): then no timer and no linked source.
        using var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(timeout, timeProvider);
        using var linked = timeoutSource is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            if (bind is not null)
            {
                socket.Bind(bind);
            }

            await socket.ConnectAsync(remote, linked?.Token ?? cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeoutSource is { IsCancellationRequested: true })
        {
            socket.Dispose();
            throw new ConnectException(remote, $"timed out after {timeout.TotalMilliseconds:0} ms", new TimeoutException(e.Message, e));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ConnectException(remote, e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
