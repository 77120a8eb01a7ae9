using System.Net;
using System.Threading.Channels;
using DualStack.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DualStack;

// The TLS listener: one loop takes connections from the inner listener and starts each one's handshake in the
// background; connections whose handshake completed go into a queue that AcceptAsync reads.
//
// Why not handshake inside AcceptAsync: one client that connects and says nothing would hold every caller of
// AcceptAsync for the whole handshake timeout. Kestrel does the same (the handshake is connection middleware, run per
// connection after accept).
//
// Back-pressure: at most MaxPending connections are in a handshake or handshaken and waiting to be accepted. When that
// many are, the loop stops taking connections from the inner listener, so the rest wait in the inner queue and the
// kernel's backlog instead of in our memory, as they would without TLS.
//
// Stopping: StopAsync stops the inner listener, which still hands out the connections it had; those get their
// handshake, and AcceptAsync returns null once the inner listener is empty and no handshake is left. Disposing also
// cancels the handshakes in progress and closes what nobody accepted.
internal sealed class TlsListener : IStreamListener
{
    private const int MaxPending = 256;

    private readonly IStreamListener _inner;
    private readonly TlsServerHandshake _handshake;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ILogger _logger;
    private readonly Channel<StreamConnection> _ready = Channel.CreateUnbounded<StreamConnection>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly SemaphoreSlim _slots = new(MaxPending, MaxPending);
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;

    // The accept loop and each handshake in progress; the queue is complete when it falls to zero.
    private int _running = 1;
    private int _disposed;

    public TlsListener(IStreamListener inner, TlsServerHandshake handshake, TimeSpan handshakeTimeout, ILogger logger)
    {
        _inner = inner;
        _handshake = handshake;
        _handshakeTimeout = handshakeTimeout;
        _logger = logger;
        _acceptLoop = AcceptLoopAsync();
    }

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _inner.LocalEndPoints;

    public async ValueTask<StreamConnection?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        while (await _ready.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_ready.Reader.TryRead(out var connection))
            {
                _slots.Release();
                return connection;
            }
        }

        return null;
    }

    public ValueTask StopAsync(CancellationToken cancellationToken = default) => _inner.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await _inner.DisposeAsync().ConfigureAwait(false);
        await _acceptLoop.ConfigureAwait(false);
        await _finished.Task.ConfigureAwait(false);
        while (_ready.Reader.TryRead(out var connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        // Off the constructor's stack: the first accept may complete synchronously.
        await Task.Yield();
        var token = _closing.Token;
        try
        {
            while (true)
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                var connection = await _inner.AcceptAsync(token).ConfigureAwait(false);
                if (connection is null)
                {
                    _slots.Release();
                    return;
                }

                Interlocked.Increment(ref _running);
                _ = HandshakeAsync(connection, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposing.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An inner listener that is not ours failed; the connections already handshaking still come out.
            TlsLog.InnerAcceptFailed(_logger, e);
        }
        finally
        {
            Finished();
        }
    }

    // The handshake owns the connection, and then the secured connection, until the queue has it: whatever throws (the
    // handshake, or a logger), what it owns is closed here and its slot given back.
    private async Task HandshakeAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        StreamConnection? owned = connection;
        try
        {
            var remote = connection.RemoteEndPoint as IPEndPoint;
            var ssl = await _handshake.AuthenticateAsync(connection.Stream, remote, cancellationToken).ConfigureAwait(false);
            owned = new StreamConnection(ssl, connection.Socket, connection.LocalEndPoint, connection.RemoteEndPoint);
            TlsLog.HandshakeCompleted(_logger, connection.RemoteEndPoint, ssl.SslProtocol, ssl.NegotiatedCipherSuite, ssl.TargetHostName, ssl.NegotiatedApplicationProtocol);
            if (_ready.Writer.TryWrite(owned))
            {
                owned = null;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailure(connection.RemoteEndPoint, e);
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
                _slots.Release();
            }

            Finished();
        }
    }

    private void LogFailure(EndPoint? remote, Exception e)
    {
        try
        {
            if (e is TlsHandshakeException { TimedOut: true })
            {
                TlsLog.HandshakeTimedOut(_logger, remote, _handshakeTimeout.TotalMilliseconds);
            }
            else if (e is not OperationCanceledException)
            {
                TlsLog.HandshakeFailed(_logger, remote, e);
            }
        }
        catch (Exception) when (e is not OutOfMemoryException)
        {
            // A logger that throws here has nobody to throw to: the handshake runs on its own, and its connection is
            // closed whatever the logger does.
        }
    }

    private void Finished()
    {
        if (Interlocked.Decrement(ref _running) == 0)
        {
            _ready.Writer.TryComplete();
            _finished.TrySetResult();
        }
    }
}
