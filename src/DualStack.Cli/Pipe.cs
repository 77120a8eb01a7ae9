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
    /// Copies both ways until the peer has closed its side. At the end of standard input the connection is half-closed
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

        // The peer is done. Standard input may still be open (a terminal, a pipe nobody closes): nothing more can go
        // anywhere, so it is left unread; an error of a copy that did finish is reported.
        if (toPeer.IsCompleted)
        {
            await toPeer;
        }
    }

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
