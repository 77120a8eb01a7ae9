using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary><c>dualstack describe DESCRIPTION</c>: parse a description and print what it means.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var description = new Argument<string>("DESCRIPTION")
        {
            Description = "An endpoint description, e.g. tcp://[fe80::1%eth0]:5555 or tcp:8080:interface=\\:\\:1",
        };
        var role = new Option<string>("--role")
        {
            HelpName = "auto|client|server|datagram",
            Description = "Read the description as a client (connect), a server (listen) or a datagram socket (udp); auto guesses",
            DefaultValueFactory = _ => "auto",
        };
        role.AcceptOnlyFromAmong("auto", "client", "server", "datagram");

        var command = new Command("describe", "Parse an endpoint description and print what it means");
        command.Arguments.Add(description);
        command.Options.Add(role);
        command.SetAction(parseResult =>
        {
            string text = parseResult.GetValue(description)!;
            var chosen = parseResult.GetValue(role) switch
            {
                "client" => EndpointRole.Client,
                "server" => EndpointRole.Server,
                "datagram" => EndpointRole.Datagram,
                _ => EndpointDescription.InferRole(text),
            };

            var json = chosen switch
            {
                EndpointRole.Client => DescribeClient(EndpointDescription.ParseClient(text)),
                EndpointRole.Server => DescribeServer(EndpointDescription.ParseServer(text)),
                _ => DescribeDatagram(EndpointDescription.ParseDatagram(text)),
            };
            json["description"] = text;

            if (parseResult.GetValue(CliOptions.Json))
            {
                Cli.WriteJson(json);
            }
            else
            {
                WriteHuman(json);
            }

            return Cli.Success;
        });
        return command;
    }

    private static JsonObject DescribeClient(IStreamClientEndpoint endpoint)
    {
        var json = new JsonObject { ["role"] = "client" };
        switch (endpoint)
        {
            case TlsClientEndpoint tls:
                json = DescribeClient(tls.Inner);
                json["kind"] = "tls-client";
                json["over"] = tls.Inner is HostnameEndpoint ? "hostname" : "tcp-client";
                json["target_host"] = tls.TargetHost;
                json["sni"] = IPLiteral.TryParseAddress(tls.TargetHost, out _) ? null : tls.TargetHost;
                json["certificate_validation"] = tls.Options.UnsafeSkipCertificateValidation ? "off (unsafe)"
                    : tls.Options.TrustedRootsFile is { } roots ? $"roots in {roots}"
                    : "system roots";
                json["alpn"] = tls.Options.ApplicationProtocols is { Count: > 0 } clientProtocols ? string.Join(",", clientProtocols) : null;
                json["handshake_timeout_ms"] = tls.Options.HandshakeTimeout.TotalMilliseconds;
                json["race_handshake"] = tls.RaceThroughHandshake;
                break;
            case TcpClientEndpoint tcp:
                json["kind"] = "tcp-client";
                json["host"] = tcp.Host;
                json["port"] = tcp.Port;
                json["addresses"] = new JsonArray(JsonShapes.Address(tcp.Address ?? IPAddress.None));
                if (tcp.Address is null)
                {
                    // A name given to the low-level endpoint resolves IPv4 only; addresses come at connect time.
                    json["addresses"] = new JsonArray();
                }

                json["timeout_ms"] = tcp.ConnectTimeout.TotalMilliseconds;
                json["bind"] = tcp.BindEndPoint is { } bind ? JsonShapes.EndPoint(bind) : null;
                break;
            case HostnameEndpoint named:
                json["kind"] = "hostname";
                json["host"] = named.Host;
                json["port"] = named.Port;
                json["addresses"] = new JsonArray();
                json["attempt_delay_ms"] = named.AttemptDelay.TotalMilliseconds;
                json["timeout_ms"] = named.ConnectTimeout.TotalMilliseconds;
                json["bind"] = named.BindEndPoint is { } namedBind ? JsonShapes.EndPoint(namedBind) : null;
                break;
        }

        // Last, after what a wrapped endpoint's description put in: the description of the whole endpoint.
        json.Remove("uri");
        json.Remove("twisted");
        json["uri"] = EndpointDescription.Format(endpoint, DescriptionSyntax.Uri);
        json["twisted"] = EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted);
        return json;
    }

    private static JsonObject DescribeServer(IStreamServerEndpoint endpoint)
    {
        var json = new JsonObject { ["role"] = "server" };
        if (endpoint is TlsServerEndpoint tls)
        {
            json = DescribeServer(tls.Inner);
            json["kind"] = "tls-server";
            json["certificate"] = tls.CertificateFile;
            json["private_key"] = tls.PrivateKeyFile ?? (tls.CertificateFile is null ? null : "(in the certificate file)");
            json["alpn"] = tls.Options.ApplicationProtocols is { Count: > 0 } serverProtocols ? string.Join(",", serverProtocols) : null;
            json["handshake_timeout_ms"] = tls.Options.HandshakeTimeout.TotalMilliseconds;
        }
        else if (endpoint is TcpServerEndpoint tcp)
        {
            json["kind"] = "tcp-server";
            DescribeScope(json, tcp.Scope, tcp.InterfaceName, tcp.Port, BindAddresses(tcp));
            json["backlog"] = tcp.Backlog;
        }

        // Last, after what a wrapped endpoint's description put in: the description of the whole endpoint.
        json.Remove("uri");
        json.Remove("twisted");
        json["uri"] = EndpointDescription.Format(endpoint, DescriptionSyntax.Uri);
        json["twisted"] = EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted);
        return json;
    }

    private static JsonObject DescribeDatagram(UdpEndpoint endpoint)
    {
        var json = new JsonObject { ["role"] = "datagram", ["kind"] = "udp" };
        DescribeScope(json, endpoint.Scope, endpoint.InterfaceName, endpoint.Port, AddressesOf(endpoint.Scope, endpoint.Address, endpoint.InterfaceName));
        json["reuse_address"] = endpoint.ReuseAddress;
        json["uri"] = EndpointDescription.Format(endpoint, DescriptionSyntax.Uri);
        json["twisted"] = EndpointDescription.Format(endpoint, DescriptionSyntax.Twisted);
        return json;
    }

    private static void DescribeScope(JsonObject json, ListenScope scope, string? interfaceName, int port, IEnumerable<IPAddress> addresses)
    {
        json["scope"] = scope switch
        {
            ListenScope.AllInterfaces => "all-interfaces",
            ListenScope.AllInterfacesPerFamily => "all-interfaces-per-family",
            ListenScope.Interface => "interface",
            _ => "address",
        };
        json["interface"] = interfaceName;
        json["port"] = port;
        json["addresses"] = JsonShapes.Array(addresses, a => JsonShapes.Address(a));
    }

    // What the listener would bind, from the listener's own plan; nothing when it could not listen (no such interface).
    private static IEnumerable<IPAddress> BindAddresses(TcpServerEndpoint endpoint)
    {
        try
        {
            return endpoint.GetBindEndPoints().Select(e => e.Address);
        }
        catch (ListenException)
        {
            return [];
        }
    }

    // What a UDP bind would take, without binding: the wildcard addresses, or the interface's addresses now.
    private static IEnumerable<IPAddress> AddressesOf(ListenScope scope, IPAddress? address, string? interfaceName) => scope switch
    {
        ListenScope.Address => [address!],
        ListenScope.AllInterfaces => [IPAddress.IPv6Any],
        ListenScope.AllInterfacesPerFamily => [IPAddress.IPv6Any, IPAddress.Any],
        _ => LocalInterface.Find(interfaceName!)?.Addresses.Select(a => a.Address) ?? [],
    };

    private static void WriteHuman(JsonObject json)
    {
        Console.WriteLine($"{json["kind"]} ({json["role"]})");
        var shown = json.Where(p => p.Key is not ("kind" or "role" or "description") && p.Value is not null).ToList();
        int width = shown.Max(p => p.Key.Length);
        foreach (var (key, value) in shown)
        {
            string text = value is JsonArray array
                ? array.Count == 0
                    ? (string?)json["kind"] == "hostname" || (string?)json["over"] == "hostname" ? "(resolved when connecting)" : "(none)"
                    : string.Join(", ", array.Select(a => a is JsonObject o ? FormatAddress(o) : a?.ToString()))
                : value!.ToString();
            Console.WriteLine($"  {key.PadRight(width)}  {text}");
        }
    }

    private static string FormatAddress(JsonObject address) =>
        address["zone"] is { } zone ? $"{address["address"]}%{zone}" : $"{address["address"]}";
}
