using System.Net;
using System.Net.Sockets;

namespace DualStack.Benchmarks;

/// <summary>
/// Listens on <c>[::1]</c> and <c>127.0.0.1</c> with one port number, accepts every connection and closes it at once:
/// the server for connect benchmarks, where a name may resolve to either loopback address.
/// </summary>
internal sealed class LoopbackAcceptor : IAsyncDisposable
{
    // Another program may hold the port on the second address; a few tries find one free on both.
    private const int Tries = 20;

    private readonly Socket[] _listeners;
    private readonly Task[] _loops;
    private volatile bool _stopping;

    private LoopbackAcceptor(Socket[] listeners)
    {
        _listeners = listeners;
        _loops = [.. listeners.Select(AcceptAllAsync)];
    }

    /// <summary>The port both addresses listen on.</summary>
    public int Port => ((IPEndPoint)_listeners[0].LocalEndPoint!).Port;

    /// <exception cref="SocketException">No port was free on both addresses after several tries.</exception>
    public static Task<LoopbackAcceptor> StartAsync()
    {
        for (int attempt = 1; ; attempt++)
        {
            var ipv6 = Listen(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            try
            {
                var ipv4 = Listen(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)ipv6.LocalEndPoint!).Port));
                return Task.FromResult(new LoopbackAcceptor([ipv6, ipv4]));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < Tries)
            {
                ipv6.Dispose();
            }
            catch
            {
                ipv6.Dispose();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_loops);
    }

    private static Socket Listen(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(TcpServerEndpoint.DefaultBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Runs until the listener is closed; a passing accept error (a client that reset first) does not stop it.
    private async Task AcceptAllAsync(Socket listener)
    {
        await Task.Yield();
        while (true)
        {
            try
            {
                using var connection = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException || (e is SocketException && _stopping))
            {
                return;
            }
            catch (SocketException)
            {
                // Passing: accept the next one.
            }
        }
    }
}
