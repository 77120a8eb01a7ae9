using System.Net.Security;
using System.Threading.Channels;
using DualStack.Tests.Shared;

namespace DualStack.FunctionalTests.Tls;

/// <summary>
/// A TLS listener on loopback that accepts in the background: each accepted connection is queued for the test to take,
/// and, when asked, echoed. Disposing stops the listener and closes every connection.
/// </summary>
public sealed class TlsTestServer : IAsyncDisposable
{
    private readonly Channel<StreamConnection> _accepted = Channel.CreateUnbounded<StreamConnection>();
    private readonly List<StreamConnection> _connections = [];
    private readonly List<Task> _echoes = [];
    private readonly Task _loop;
    private readonly bool _echo;

    private TlsTestServer(IStreamListener listener, bool echo)
    {
        Listener = listener;
        _echo = echo;
        _loop = AcceptLoopAsync();
    }

    public IStreamListener Listener { get; }

    public int Port => Listener.LocalEndPoints[0].Port;

    public static async Task<TlsTestServer> StartAsync(IStreamServerEndpoint endpoint, bool echo = true) =>
        new(await endpoint.ListenAsync(TestContext.Current.CancellationToken).Bounded(), echo);

    /// <summary>The next connection whose handshake completed.</summary>
    public async Task<StreamConnection> NextAsync() =>
        await _accepted.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().Bounded();

    public static SslStream Ssl(StreamConnection connection) => (SslStream)connection.Stream;

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        await _loop.Bounded();
        List<StreamConnection> connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        await Task.WhenAll(_echoes).Bounded();
    }

    private async Task AcceptLoopAsync()
    {
        while (await Listener.AcceptAsync() is { } connection)
        {
            lock (_connections)
            {
                _connections.Add(connection);
            }

            if (_echo)
            {
                _echoes.Add(EchoAsync(connection));
            }

            _accepted.Writer.TryWrite(connection);
        }
    }

    private static async Task EchoAsync(StreamConnection connection)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await connection.Stream.ReadAsync(buffer)) > 0)
            {
                await connection.Stream.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}
