using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>dualstack listen</c> run out of file descriptors (<c>prlimit --nofile</c>): accept fails with EMFILE while the
/// clients it holds are open, and the listener must serve again once they close, without a restart.
/// </summary>
public sealed class ListenerExhaustionTests
{
    // Low enough to reach with some dozens of held connections, high enough for the native executable's own (about 10).
    private const int DescriptorLimit = 64;

    [Fact]
    public async Task Listen_OutOfDescriptors_ServesThePendingClientOnceDescriptorsAreFree()
    {
        if (!File.Exists("/usr/bin/prlimit") && !File.Exists("/bin/prlimit"))
        {
            Assert.Skip("prlimit (util-linux) is not installed");
        }

        if (CliRunner.Executable is null)
        {
            // Measured: the dll under dotnet aborts with "Out of memory" once it is out of descriptors, before any of the
            // listener's code runs (the runtime needs descriptors to load and compile code, even with W^X off).
            Assert.Skip("needs the native dualstack (DUALSTACK_CLI, as .ci/run sets it): a JIT-compiled process out of descriptors is aborted by the runtime itself");
        }

        var token = TestContext.Current.CancellationToken;
        string[] listen = CliRunner.CommandLine("listen", "tcp://127.0.0.1:0", "--json");
        await using var server = ChildProcess.Start("prlimit", [$"--nofile={DescriptorLimit}:{DescriptorLimit}", "--", .. listen]);
        var listening = JsonNode.Parse((await server.ReadLineAsync(token))!)!;
        string endpoint = (string)listening["endpoints"]![0]!;
        var remote = IPEndPoint.Parse(endpoint);
        Assert.Equal("first", await EchoAsync(remote, "first", server, token));

        // Hold connections open (each costs the server a descriptor) until one is not accepted: the kernel completes its
        // handshake from the backlog, but accept(2) fails with EMFILE.
        var held = new List<Socket>();
        Socket? pending = null;
        try
        {
            for (int i = 0; i < 4 * DescriptorLimit && pending is null; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await client.ConnectAsync(remote, token);
                try
                {
                    Assert.Equal("accepted", (string?)JsonNode.Parse((await server.ReadLineAsync(TimeSpan.FromSeconds(2), token))!)!["event"]);
                    held.Add(client);
                }
                catch (TimeoutException)
                {
                    pending = client;
                }
            }

            Assert.True(pending is not null, $"{4 * DescriptorLimit} connections were all accepted under a limit of {DescriptorLimit} descriptors");

            // Free some descriptors: the server sees its held clients close and closes them too.
            foreach (var client in held.Take(8))
            {
                client.Dispose();
            }

            // The waiting client is accepted and served, by the same process.
            var accepted = JsonNode.Parse((await server.ReadLineAsync(TimeSpan.FromSeconds(20), token))!)!;
            Assert.Equal("accepted", (string?)accepted["event"]);
            Assert.Equal("served again", await ExchangeAsync(pending, "served again", token));
            Assert.False(server.HasExited);
        }
        finally
        {
            pending?.Dispose();
            foreach (var client in held)
            {
                client.Dispose();
            }
        }

        var stopped = await server.StopAsync(PosixSignal.SIGTERM, TimeSpan.FromSeconds(10), token);
        Assert.Equal(0, stopped.ExitCode);
    }

    // A connection of its own: connect, wait for the server's "accepted" line, exchange.
    private static async Task<string> EchoAsync(IPEndPoint remote, string text, ChildProcess server, CancellationToken cancellationToken)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(remote, cancellationToken);
        Assert.Equal("accepted", (string?)JsonNode.Parse((await server.ReadLineAsync(cancellationToken))!)!["event"]);
        return await ExchangeAsync(client, text, cancellationToken);
    }

    // Sends the text, half-closes and reads the echo until the server closes.
    private static async Task<string> ExchangeAsync(Socket client, string text, CancellationToken cancellationToken)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);
        client.Shutdown(SocketShutdown.Send);
        var buffer = new byte[256];
        int length = 0;
        int read;
        while ((read = await client.ReceiveAsync(buffer.AsMemory(length), cancellationToken).AsTask().Bounded()) > 0)
        {
            length += read;
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }
}
