using System.Net.Security;
using System.Net.Sockets;

namespace DualStack.Cli;

/// <summary>
/// netcat-style piping for <c>connect</c> and <c>listen --once</c>: standard input to the connection, the connection to
/// standard output. Status lines go to standard error, so the pipes carry only data.
/// </summary>
internal static class Pipe
{
    /// <summary>
    /// Copies both ways until the peer has closed its side (and standard input is done, or 2 s more have passed). At the
    /// end of standard input the connection is half-closed
    /// (over TLS, TLS's own close_notify first), as <c>nc -N</c> does, so that a peer waiting for the end of the request
    /// answers and closes.
    /// </summary>
    public static async Task RunAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        var toPeer = CopyInputToPeerAsync(connection, cancellationToken);
        await using (var output = Console.OpenStandardOutput())
        {
            await connection.Stream.CopyToAsync(output, cancellationToken);
            await output.FlushAsync(cancellationToken);
        }

        // The peer has closed its side; what standard input still holds may be on its way (the peer may be reading
        // still). As socat does, it gets a grace period, then the command ends: standard input may be a terminal or a
        // pipe nobody closes.
        try
        {
            await toPeer.WaitAsync(InputGrace, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>How long standard input may still be copied once the peer has closed its side.</summary>
    private static TimeSpan InputGrace => TimeSpan.FromSeconds(2);

    private static async Task CopyInputToPeerAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await using (var input = Console.OpenStandardInput())
        {
            await input.CopyToAsync(connection.Stream, cancellationToken);
        }

        await connection.Stream.FlushAsync(cancellationToken);
        if (connection.Stream is SslStream ssl)
        {
            await ssl.ShutdownAsync();
        }

        connection.Socket?.Shutdown(SocketShutdown.Send);
    }
}
