using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace DualStack.Tests.Shared.Http;

/// <summary>
/// A minimal HTTP/1.1 server for HttpClient tests: on every connection it reads the request head, answers
/// <c>200 OK</c> with a fixed body and <c>Connection: close</c>, and closes. It serves an <see cref="IStreamListener"/>
/// the test made (on loopback, or inside a lab's server namespace), and records each client's address.
/// </summary>
public sealed class FixedHttpResponder : IAsyncDisposable
{
    private readonly IStreamListener _listener;
    private readonly byte[] _response;
    private readonly Task _serving;

    public FixedHttpResponder(IStreamListener listener, string body)
    {
        _listener = listener;
        _response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}");
        _serving = ServeAsync();
    }

    public int Port => _listener.LocalEndPoints[0].Port;

    /// <summary>The remote endpoint of every connection served, in order.</summary>
    public ConcurrentQueue<IPEndPoint> Clients { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _serving.WaitAsync(TaskTimeoutExtensions.DefaultTimeout);
    }

    private async Task ServeAsync()
    {
        var connections = new List<Task>();
        while (await _listener.AcceptAsync() is { } connection)
        {
            connections.Add(AnswerAsync(connection));
        }

        await Task.WhenAll(connections);
    }

    private async Task AnswerAsync(StreamConnection connection)
    {
        await using var _ = connection;
        if (connection.RemoteEndPoint is IPEndPoint remote)
        {
            Clients.Enqueue(remote);
        }

        using var timeout = new CancellationTokenSource(TaskTimeoutExtensions.DefaultTimeout);
        try
        {
            var buffer = new byte[4096];
            int length = 0;
            while (length < buffer.Length)
            {
                int read = await connection.Stream.ReadAsync(buffer.AsMemory(length), timeout.Token);
                if (read == 0)
                {
                    return;
                }

                length += read;
                if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
                {
                    break;
                }
            }

            await connection.Stream.WriteAsync(_response, timeout.Token);
            await connection.Stream.FlushAsync(timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away (or never finished its request): nothing to answer.
        }
    }
}
