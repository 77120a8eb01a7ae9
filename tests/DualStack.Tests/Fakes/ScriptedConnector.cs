using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace DualStack.Tests.Fakes;

/// <summary>
/// A connector whose attempts the test completes by hand. Each call is reported on <see cref="NextAttemptAsync"/>
/// with the fake time it started at; a successful attempt hands out a real (unconnected) socket so the test can see
/// whether the race closed it.
/// </summary>
public sealed class ScriptedConnector(TimeProvider time, long start)
{
    private readonly Channel<Attempt> _started = Channel.CreateUnbounded<Attempt>();

    public List<Attempt> Attempts { get; } = [];

    public ValueTask<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var attempt = new Attempt(endPoint, time.GetElapsedTime(start), cancellationToken);
        lock (Attempts)
        {
            Attempts.Add(attempt);
        }

        _started.Writer.TryWrite(attempt);
        return new ValueTask<Socket>(attempt.Task);
    }

    public async Task<Attempt> NextAttemptAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _started.Reader.ReadAsync(timeout.Token);
    }

    public bool HasPendingStart => _started.Reader.TryPeek(out _);

    public sealed class Attempt
    {
        private readonly TaskCompletionSource<Socket> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Attempt(IPEndPoint endPoint, TimeSpan started, CancellationToken token)
        {
            EndPoint = endPoint;
            Started = started;
            token.Register(() => _result.TrySetCanceled(token));
        }

        public IPEndPoint EndPoint { get; }

        public TimeSpan Started { get; }

        public Socket? Socket { get; private set; }

        public Task<Socket> Task => _result.Task;

        public Socket Succeed()
        {
            Socket = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (!_result.TrySetResult(Socket))
            {
                // The race cancelled this attempt first (a winner was chosen on another thread): as a real connector
                // does, close what can no longer be handed over.
                Socket.Dispose();
            }

            return Socket;
        }

        public void Fail(SocketError error = SocketError.ConnectionRefused) =>
            _result.TrySetException(new ConnectException(EndPoint, error.ToString(), new SocketException((int)error)));
    }
}
