using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary>
/// <c>dualstack mcast listen GROUP PORT --interface IF [--source ADDR]</c>: join and print datagrams until
/// SIGINT/SIGTERM; <c>dualstack mcast send GROUP PORT TEXT --interface IF [--hops N] [--loopback]</c>: send one.
/// </summary>
internal static class McastCommand
{
    public static Command Create()
    {
        var command = new Command("mcast", "Multicast: join a group and print what arrives, or send one datagram to a group");
        command.Subcommands.Add(CreateListen());
        command.Subcommands.Add(CreateSend());
        return command;
    }

    private static Command CreateListen()
    {
        var (group, port, nic) = CommonArguments();
        var source = new Option<string?>("--source") { HelpName = "ADDR", Description = "Hear only this sender (a source-specific join)" };
        var count = new Option<int?>("--count") { HelpName = "N", Description = "Exit after this many datagrams" };
        var command = new Command("listen", "Join GROUP on an interface and print each datagram until SIGINT/SIGTERM");
        command.Arguments.Add(group);
        command.Arguments.Add(port);
        command.Options.Add(nic);
        command.Options.Add(source);
        command.Options.Add(count);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            bool json = parseResult.GetValue(CliOptions.Json);
            var groupAddress = ParseGroup(parseResult.GetValue(group)!);
            int groupPort = Ranges.Port(parseResult.GetValue(port), min: 1);
            var (index, name) = ParseInterface(parseResult.GetValue(nic)!);
            var sourceAddress = parseResult.GetValue(source) is { } sourceText
                ? IPLiteral.TryParseAddress(sourceText, out var parsed) ? parsed : throw new ArgumentException($"--source '{sourceText}' is not an address")
                : null;
            int? limit = parseResult.GetValue(count) is { } n ? (n > 0 ? n : throw new ArgumentException($"--count {n} is not positive")) : null;

            using var stop = new ShutdownSignal(cancellationToken);
            using var socket = new UdpEndpoint(DatagramArguments.Wildcard(groupAddress.AddressFamily), groupPort) { ReuseAddress = true }.Bind();
            using var membership = sourceAddress is null
                ? socket.JoinGroup(groupAddress, index)
                : socket.JoinSourceGroup(groupAddress, sourceAddress, index);
            if (json)
            {
                Cli.WriteJson(new JsonObject
                {
                    ["event"] = "joined",
                    ["group"] = IPLiteral.FormatAddress(groupAddress),
                    ["port"] = groupPort,
                    ["interface"] = name,
                    ["interface_index"] = index,
                    ["source"] = sourceAddress is null ? null : IPLiteral.FormatAddress(sourceAddress),
                });
            }
            else
            {
                Console.WriteLine($"joined {membership} ({name}), port {groupPort} (Ctrl-C stops)");
            }

            var buffer = new byte[DatagramArguments.MaxDatagram];
            try
            {
                for (int received = 0; limit is null || received < limit; received++)
                {
                    var datagram = await socket.ReceiveMessageAsync(buffer, stop.Token);
                    string from = JsonShapes.EndPoint(datagram.RemoteEndPoint);
                    string to = datagram.LocalAddress is { } local ? IPLiteral.FormatAddress(local) : "?";
                    string data = Encoding.UTF8.GetString(buffer, 0, datagram.Length);
                    if (json)
                    {
                        Cli.WriteJson(new JsonObject { ["event"] = "datagram", ["from"] = from, ["group"] = to, ["bytes"] = datagram.Length, ["data"] = data });
                    }
                    else
                    {
                        Console.WriteLine($"datagram from {from} to {to}, {datagram.Length} bytes: {data}");
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsStopping)
            {
                // SIGINT or SIGTERM: leave and close below.
            }

            return Cli.Success;
        });
        return command;
    }

    private static Command CreateSend()
    {
        var (group, port, nic) = CommonArguments();
        var text = new Argument<string>("TEXT") { Description = "The datagram's text (UTF-8)" };
        var hops = new Option<int?>("--hops") { HelpName = "N", Description = "Hop limit (IPv6) or TTL (IPv4), 0-255 [default: 1, this link only]" };
        var loopback = new Option<bool>("--loopback") { Description = "Also deliver the datagram to members on this host" };
        var command = new Command("send", "Send one datagram to GROUP out of an interface");
        command.Arguments.Add(group);
        command.Arguments.Add(port);
        command.Arguments.Add(text);
        command.Options.Add(nic);
        command.Options.Add(hops);
        command.Options.Add(loopback);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var groupAddress = ParseGroup(parseResult.GetValue(group)!);
            int groupPort = Ranges.Port(parseResult.GetValue(port), min: 1);
            var (index, name) = ParseInterface(parseResult.GetValue(nic)!);
            int? hopLimit = parseResult.GetValue(hops) is { } h ? Ranges.Int("--hops", h, 0, 255) : null;
            var payload = Encoding.UTF8.GetBytes(parseResult.GetValue(text)!);

            using var socket = new UdpEndpoint(DatagramArguments.Wildcard(groupAddress.AddressFamily), 0).Bind();
            socket.MulticastInterface = index;
            socket.MulticastLoopback = parseResult.GetValue(loopback);
            if (hopLimit is { } limit)
            {
                socket.MulticastHopLimit = limit;
            }

            try
            {
                await socket.SendToAsync(payload, new IPEndPoint(groupAddress, groupPort), cancellationToken);
            }
            catch (UdpException e) when (e.SocketError == SocketError.NetworkUnreachable
                && LocalInterface.GetAll().FirstOrDefault(i => i.Index == index) is { SupportsMulticast: false })
            {
                // Linux routes IPv6 multicast (ff00::/8) only out of interfaces with the MULTICAST flag; say so.
                return Cli.Error(Cli.Failure, $"{e.Message}: interface '{name}' has no MULTICAST flag, so it has no route for multicast");
            }

            if (parseResult.GetValue(CliOptions.Json))
            {
                Cli.WriteJson(new JsonObject
                {
                    ["event"] = "sent",
                    ["group"] = IPLiteral.FormatAddress(groupAddress),
                    ["port"] = groupPort,
                    ["interface"] = name,
                    ["from"] = JsonShapes.EndPoint(socket.LocalEndPoint),
                    ["bytes"] = payload.Length,
                    ["hops"] = socket.MulticastHopLimit,
                    ["loopback"] = socket.MulticastLoopback,
                });
            }
            else
            {
                Console.WriteLine($"sent {payload.Length} bytes to {IPLiteral.FormatAddress(groupAddress)} port {groupPort} on {name}, hop limit {socket.MulticastHopLimit}");
            }

            return Cli.Success;
        });
        return command;
    }

    private static (Argument<string> Group, Argument<int> Port, Option<string> Interface) CommonArguments() =>
    (
        new Argument<string>("GROUP") { Description = "The group: ff02::1:3, ff12::1234, 239.1.2.3 …" },
        new Argument<int>("PORT") { Description = "The group's port" },
        new Option<string>("--interface")
        {
            HelpName = "IF",
            Description = "The interface, by name (eth0) or index; multicast never goes where the OS would guess",
            Required = true,
        });

    private static IPAddress ParseGroup(string text)
    {
        if (!IPLiteral.TryParseAddress(text, out var address))
        {
            throw new ArgumentException($"group '{text}' is not an address");
        }

        address = IPLiteral.Unmap(address);
        bool multicast = address.AddressFamily == AddressFamily.InterNetworkV6
            ? address.IsIPv6Multicast
            : address.GetAddressBytes()[0] is >= 224 and <= 239;
        return multicast ? address : throw new ArgumentException($"group '{text}' is not a multicast address");
    }

    // A name, or an index; either must be an interface of this host now.
    private static (int Index, string Name) ParseInterface(string text)
    {
        var all = LocalInterface.GetAll();
        var found = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            ? all.FirstOrDefault(i => i.Index == index)
            : all.FirstOrDefault(i => i.Name == text);
        return found is null
            ? throw new ArgumentException($"--interface '{text}': no such interface")
            : (found.Index, found.Name);
    }
}
