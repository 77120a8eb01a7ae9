using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using DualStack.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack;

// <summary>The aggregate listener: N bound sockets, one accept loop each, one queue of accepted connections.</summary>
// <remarks>
// One accept loop per socket feeding a bounded channel keeps arrival order across sockets without
// polling, and lets <see cref="AcceptAsync"/> be one cheap channel read. The channel is small so that
// connections nobody accepts stay in the kernel's backlog rather than in our memory.
// </remarks>
internal sealed class SocketListener : IStreamListener
{
    // How often to retry when port 0 gave a port that another family's socket cannot have.
    private const int PortRetries = 8;
    private const int QueueCapacity = 16;

    private readonly Socket[] _sockets;
    // Bounded channels default to several readers (concurrent AcceptAsync calls) and writers (one loop per socket).
    private readonly Channel<Socket> _accepted = Channel.CreateBounded<Socket>(QueueCapacity);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _description;
    private readonly ILogger _logger;
    private readonly DualStackMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly Task[] _acceptLoops;

    // Connections taken out of the kernel while stopping, for AcceptAsync to hand out after the channel is done.
    private readonly System.Collections.Concurrent.ConcurrentQueue<Socket> _drained = new();
    private readonly Lazy<Task> _stop;

    private SocketListener(Socket[] sockets, string description, ILogger logger, DualStackMetrics metrics, TimeProvider timeProvider)
    {
        _sockets = sockets;
        _description = description;
        _logger = logger;
        _metrics = metrics;
        _timeProvider = timeProvider;
        LocalEndPoints = [.. sockets.Select(s => (IPEndPoint)s.LocalEndPoint!)];
        _acceptLoops = [.. sockets.Select(AcceptLoopAsync)];
        _stop = new Lazy<Task>(StopCoreAsync);
    }

    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    // <summary>The listening sockets (tests break one to see the listener fault).</summary>
    internal IReadOnlyList<Socket> Sockets => _sockets;

    // <summary>Binds every planned socket on one port, or none: a failed bind closes every socket already bound.</summary>
    public static SocketListener Bind(
        IReadOnlyList<Plan> plan, int port, int backlog, string description, ILogger logger, DualStackMetrics metrics, TimeProvider timeProvider)
    {
        for (int attempt = 0; ; attempt++)
        {
            var sockets = new List<Socket>(plan.Count);
            var failures = new List<KeyValuePair<IPEndPoint, Exception>>();
            int actualPort = port;
            foreach (var entry in plan)
            {
                var local = new IPEndPoint(entry.Address, actualPort);
                var socket = new Socket(entry.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    if (entry.Address.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        socket.DualMode = entry.DualMode;
                    }

                    socket.Bind(local);
                    socket.Listen(backlog);
                    actualPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
                    sockets.Add(socket);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    failures.Add(new(local, e));
                }
            }

            if (failures.Count == 0)
            {
                return new SocketListener([.. sockets], description, logger, metrics, timeProvider);
            }

            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            // With port 0 the first socket's port may be taken on another address: pick a new one. (Should no socket at
            // all have bound, every address is out of ports: the retries fail the same way, and the same error ends them.)
            bool portCollision = port == 0
                && failures.All(f => f.Value is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse });
            if (!portCollision || attempt == PortRetries)
            {
                throw new ListenException(description, failures, failures.Count == plan.Count ? "no socket could be bound" : "some sockets could not be bound, so none was kept");
            }
        }
    }

    public async ValueTask<StreamConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            if (_accepted.Reader.TryRead(out var socket) || _drained.TryDequeue(out socket))
            {
                return StreamConnection.FromConnectedSocket(socket);
            }

            if (!await _accepted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return _drained.TryDequeue(out socket) ? StreamConnection.FromConnectedSocket(socket) : null;
            }
        }
    }

    public async ValueTask StopAsync(CancellationToken cancellationToken = default) =>
        await _stop.Value.WaitAsync(cancellationToken).ConfigureAwait(false);

    // Disposing again (or at once from two threads) is harmless without a flag: the stop runs once, each socket left is
    // taken (and closed) once, and a token source may be disposed again.
    public async ValueTask DisposeAsync()
    {
        await _stop.Value.ConfigureAwait(false);
        while (_accepted.Reader.TryRead(out var socket) || _drained.TryDequeue(out socket))
        {
            socket.Dispose();
        }

        _stopping.Dispose();
    }

    // Stop accepting, take every connection whose handshake the kernel already completed (closing the listening
    // socket would reset them), then close the listening sockets and end the queue.
    private async Task StopCoreAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        foreach (var socket in _sockets)
        {
            DrainBacklog(socket);
            socket.Dispose();
        }

        _accepted.Writer.TryComplete();
    }

    private void DrainBacklog(Socket listenSocket)
    {
        try
        {
            listenSocket.Blocking = false;
            while (true)
            {
                // A socket accepted from a non-blocking listener is non-blocking too; NetworkStream wants blocking mode.
                var accepted = listenSocket.Accept();
                accepted.Blocking = true;
                _drained.Enqueue(accepted);
            }
        }
        catch (SocketException)
        {
            // WouldBlock: the backlog is empty (or the socket is broken, which leaves nothing to take either).
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // Accepts until stopped. A passing error never ends the loop (AcceptErrors says which errors pass and which call for
    // a pause); an error that leaves the listening socket useless faults the whole listener, so that AcceptAsync throws
    // it instead of waiting for connections that cannot come. So does an observer (a logger, a meter listener) that
    // throws: the loop cannot go on without reporting what it does, and the listener must not go deaf in silence.
    private async Task AcceptLoopAsync(Socket listenSocket)
    {
        var localEndPoint = (IPEndPoint)listenSocket.LocalEndPoint!;
        try
        {
            await AcceptUntilStoppedAsync(listenSocket, localEndPoint).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fault(localEndPoint, e, $"reporting on accepts on {IPLiteral.FormatEndPoint(localEndPoint)} failed");
        }
    }

    private async Task AcceptUntilStoppedAsync(Socket listenSocket, IPEndPoint localEndPoint)
    {
        var token = _stopping.Token;
        var backOff = TimeSpan.Zero;
        int failures = 0;
        while (!token.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listenSocket.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (token.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (SocketException e)
            {
                _metrics.RecordAcceptError(e);
                switch (AcceptErrors.Classify(e.SocketErrorCode))
                {
                    case AcceptErrorKind.Retry:
                        continue;

                    case AcceptErrorKind.BackOff:
                        // Out of descriptors or memory: logged once per episode, then retried after a growing pause.
                        if (failures++ == 0)
                        {
                            ListenerLog.AcceptBackingOff(_logger, localEndPoint, e);
                        }

                        backOff = AcceptErrors.NextBackOff(backOff);
                        await Task.Delay(backOff, _timeProvider, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        continue;

                    default:
                        Fault(localEndPoint, e, $"accepting on {IPLiteral.FormatEndPoint(localEndPoint)} failed");
                        ListenerLog.AcceptFailed(_logger, localEndPoint, e);
                        return;
                }
            }

            // The loop owns the accepted socket until the queue (or, when stopping, the drained list) has it: whatever
            // throws before that, the socket is closed here.
            Socket? owned = accepted;
            try
            {
                if (failures > 0)
                {
                    ListenerLog.AcceptResumed(_logger, localEndPoint, failures);
                    (failures, backOff) = (0, TimeSpan.Zero);
                }

                _metrics.RecordAccept(accepted);
                await _accepted.Writer.WriteAsync(accepted, token).ConfigureAwait(false);
                owned = null;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Stopping while the queue is full: keep the connection for AcceptAsync (or DisposeAsync) to take. The
                // token is cancelled, so the loop ends here.
                _drained.Enqueue(accepted);
                owned = null;
            }
            catch (ChannelClosedException)
            {
                // Another socket's loop faulted the listener: nobody will take this connection.
                return;
            }
            finally
            {
                owned?.Dispose();
            }
        }
    }

    private void Fault(IPEndPoint localEndPoint, Exception error, string reason) =>
        _accepted.Writer.TryComplete(new ListenException(_description, [new KeyValuePair<IPEndPoint, Exception>(localEndPoint, error)], reason));

    internal readonly record struct Plan(IPAddress Address, bool DualMode);
}
