using System.CommandLine;
using System.Net;
using System.Net.Sockets;

namespace DualStack.Cli.Commands;

/// <summary>
/// <c>dualstack demo</c>: a Happy Eyeballs race on this machine, with no network and no root. A name resolves (from a
/// fixed table) to ::1, where a listener whose accept queue is full drops every SYN, and to 127.0.0.1, where an echo
/// server answers. IPv6 is tried first and hangs; 250 ms later IPv4 starts and wins.
/// </summary>
internal static class DemoCommand
{
    private const string DemoHost = "demo.dualstack.test";

    public static Command Create()
    {
        var command = new Command("demo", "Race a silently dropping IPv6 address against a working IPv4 one on loopback");
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool json = parseResult.GetValue(CliOptions.Json);
            if (!Socket.OSSupportsIPv6)
            {
                return Cli.Error(Cli.Failure, "demo needs IPv6 on loopback (::1), which this machine does not have");
            }

            await using var blackhole = Blackhole.Create();
            int port = blackhole.Port;
            await using var echo = await new TcpServerEndpoint(IPAddress.Loopback, port).ListenAsync(cancellationToken);
            using var serving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var server = EchoAsync(echo, serving.Token);

            var resolver = new HostTableResolver().Add(DemoHost, IPAddress.IPv6Loopback).Add(DemoHost, IPAddress.Loopback);
            if (!json)
            {
                Console.WriteLine($"{DemoHost} resolves to [::1]:{port} (drops every SYN) and 127.0.0.1:{port} (echo server).");
                Console.WriteLine("Plain .NET would wait for the IPv6 connect to time out; Happy Eyeballs starts IPv4 after 250 ms:");
                Console.WriteLine();
            }

            // The demo's times run from the start of its race, not of its set-up.
            int exit = await ConnectCommand.RunAsync(
                new HostnameEndpoint(DemoHost, port) { Resolver = resolver, ConnectTimeout = TimeSpan.FromSeconds(5) },
                TimeProvider.System.GetTimestamp(),
                send: "hello over whichever family works",
                trace: true,
                json,
                cancellationToken);
            await serving.CancelAsync();
            await server;
            return exit;
        });
        return command;
    }

    private static async Task EchoAsync(IStreamListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (await listener.AcceptAsync(cancellationToken) is { } connection)
            {
                await using (connection)
                {
                    await connection.Stream.CopyToAsync(connection.Stream, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// A listener on [::1] whose accept queue is full: Linux then drops further SYNs without a word, which looks
    /// exactly like a network that loses IPv6 packets, and needs no root.
    /// </summary>
    private sealed class Blackhole : IAsyncDisposable
    {
        private readonly Socket _listener;
        private readonly List<Socket> _fillers = [];

        private Blackhole(Socket listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public static Blackhole Create()
        {
            var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            listener.Listen(0);
            var blackhole = new Blackhole(listener);
            blackhole.Fill();
            return blackhole;
        }

        public ValueTask DisposeAsync()
        {
            foreach (var filler in _fillers)
            {
                filler.Dispose();
            }

            _listener.Dispose();
            return ValueTask.CompletedTask;
        }

        // Connect until one connect does not complete: from then on the queue is full and SYNs vanish.
        private void Fill()
        {
            for (int i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
                _fillers.Add(filler);
                var connect = filler.ConnectAsync(_listener.LocalEndPoint!);
                if (!connect.Wait(TimeSpan.FromMilliseconds(200)))
                {
                    return;
                }
            }
        }
    }
}
