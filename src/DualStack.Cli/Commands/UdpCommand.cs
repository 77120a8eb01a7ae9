using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary>
/// <c>dualstack udp listen DESCRIPTION</c>: a UDP echo server until SIGINT/SIGTERM; <c>dualstack udp send HOST PORT
/// TEXT</c>: one datagram out, the reply printed.
/// </summary>
internal static class UdpCommand
{
    public static Command Create()
    {
        var command = new Command("udp", "UDP: an echo server, or send one datagram and print the reply");
        command.Subcommands.Add(CreateListen());
        command.Subcommands.Add(CreateSend());
        return command;
    }

    private static Command CreateListen()
    {
        var description = new Argument<string>("DESCRIPTION")
        {
            Description = "Where to bind: udp://*:5353, udp://[::1]:0, udp://[fe80::1%eth0]:5353, udp:5353:interface=eth0, udp6:5353 …",
        };
        var command = new Command("listen", "Echo every datagram back to its sender until SIGINT/SIGTERM");
        command.Arguments.Add(description);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool json = parseResult.GetValue(CliOptions.Json);
            var endpoint = EndpointDescription.ParseDatagram(parseResult.GetValue(description)!);
            using var stop = new ShutdownSignal(cancellationToken);
            using var socket = endpoint.Bind();
            var local = socket.LocalEndPoint;
            if (json)
            {
                Cli.WriteJson(new JsonObject { ["event"] = "listening", ["endpoints"] = new JsonArray(JsonShapes.EndPoint(local)) });
            }
            else
            {
                Console.WriteLine($"listening on udp {JsonShapes.EndPoint(local)} (echo; Ctrl-C stops)");
            }

            var buffer = new byte[DatagramArguments.MaxDatagram];
            try
            {
                while (true)
                {
                    var datagram = await socket.ReceiveMessageAsync(buffer, stop.Token);
                    Report("datagram", datagram, local.Port, data: null, json);
                    try
                    {
                        await socket.SendToAsync(buffer.AsMemory(0, datagram.Length), datagram.RemoteEndPoint, stop.Token);
                    }
                    catch (UdpException e)
                    {
                        // One peer that cannot be answered does not stop the server.
                        Cli.Warn(e.Message);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsStopping)
            {
                return Cli.Success;
            }
        });
        return command;
    }

    private static Command CreateSend()
    {
        var host = new Argument<string>("HOST") { Description = "A host name or an address (zones allowed: fe80::1%eth0)" };
        var port = new Argument<int>("PORT") { Description = "The destination port" };
        var text = new Argument<string>("TEXT") { Description = "The datagram's text (UTF-8)" };
        var bind = new Option<string?>("--bind") { HelpName = "ADDR", Description = "The local address (and port: [addr]:port) to send from" };
        var connect = new Option<bool>("--connect") { Description = "Connect the socket first: only the peer's reply counts, and ICMP errors (port unreachable) are reported" };
        var timeout = new Option<double>("--timeout")
        {
            HelpName = "S",
            Description = "Seconds to wait for the reply",
            DefaultValueFactory = _ => 2,
        };
        var command = new Command("send", "Send one datagram and print the reply");
        command.Arguments.Add(host);
        command.Arguments.Add(port);
        command.Arguments.Add(text);
        command.Options.Add(bind);
        command.Options.Add(connect);
        command.Options.Add(timeout);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool json = parseResult.GetValue(CliOptions.Json);
            int destinationPort = Ranges.Port(parseResult.GetValue(port), min: 1);

            var wait = Ranges.Seconds("--timeout", parseResult.GetValue(timeout));
            var local = parseResult.GetValue(bind) is { } bindText ? ParseBind(bindText) : null;
            var remote = await DestinationAsync(parseResult.GetValue(host)!, destinationPort, local?.AddressFamily, cancellationToken);
            // An IPv4 destination this host has no IPv4 route to (an IPv6-only host) is reached through NAT64, from an
            // IPv6 socket.
            var endpoint = local is null && remote.AddressFamily == AddressFamily.InterNetwork && !Nat64.HasIPv4Route(remote.Address)
                ? UdpEndpoint.AllInterfaces(0)
                : new UdpEndpoint(local?.Address ?? DatagramArguments.Wildcard(remote.AddressFamily), local?.Port ?? 0);
            using var socket = endpoint.Bind();
            var payload = Encoding.UTF8.GetBytes(parseResult.GetValue(text)!);

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(wait);
            var buffer = new byte[DatagramArguments.MaxDatagram];
            try
            {
                if (parseResult.GetValue(connect))
                {
                    socket.Connect(remote);
                    await socket.SendAsync(payload, deadline.Token);
                }
                else
                {
                    await socket.SendToAsync(payload, remote, deadline.Token);
                }

                if (!json)
                {
                    Console.WriteLine($"sent {payload.Length} bytes to {JsonShapes.EndPoint(remote)} from {JsonShapes.EndPoint(socket.LocalEndPoint)}");
                }

                var reply = await socket.ReceiveMessageAsync(buffer, deadline.Token);
                Report("datagram", reply, socket.LocalEndPoint.Port, Encoding.UTF8.GetString(buffer, 0, reply.Length), json);
                return Cli.Success;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"no reply from {JsonShapes.EndPoint(remote)} within {wait.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            }
        });
        return command;
    }

    private static void Report(string name, ReceivedDatagram datagram, int localPort, string? data, bool json)
    {
        string from = JsonShapes.EndPoint(datagram.RemoteEndPoint);
        string? to = datagram.LocalAddress is { } address ? JsonShapes.EndPoint(new IPEndPoint(address, localPort)) : null;
        if (json)
        {
            var line = new JsonObject { ["event"] = name, ["from"] = from, ["to"] = to, ["bytes"] = datagram.Length };
            if (data is not null)
            {
                line["data"] = data;
            }

            Cli.WriteJson(line);
        }
        else
        {
            Console.WriteLine($"{name} from {from} to {to ?? "?"}, {datagram.Length} bytes{(data is null ? string.Empty : $": {data}")}");
        }
    }

    private static IPEndPoint ParseBind(string text)
    {
        if (IPLiteral.TryParseAddress(text, out var address))
        {
            return new IPEndPoint(address, 0);
        }

        return IPLiteral.TryParseEndPoint(text, out var endPoint)
            ? endPoint
            : throw new ArgumentException($"--bind '{text}' is not an address or [address]:port");
    }

    // A literal as given; a name through the system resolver, the first address in connection order (of the bind
    // address's family when one is given).
    private static async Task<IPEndPoint> DestinationAsync(string host, int port, AddressFamily? family, CancellationToken cancellationToken)
    {
        if (IPLiteral.TryParseAddress(host, out var literal))
        {
            var remote = new IPEndPoint(IPLiteral.Unmap(literal), port);
            return family is { } f && f != remote.AddressFamily
                ? throw new ArgumentException($"--bind is {JsonShapes.Family(f)} and {host} is {JsonShapes.Family(remote.AddressFamily)}")
                : remote;
        }

        var hints = new AddressInfoHints { Family = family ?? AddressFamily.Unspecified, SocketType = SocketType.Dgram };
        var results = await HostLookup.GetAddressInfoAsync(host, port.ToString(CultureInfo.InvariantCulture), hints, cancellationToken);
        return IPLiteral.Unmap(results[0].EndPoint);
    }
}
