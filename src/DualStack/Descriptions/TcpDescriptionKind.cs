using System.Net;
using System.Text;
using DualStack.Internal;
using static DualStack.DescriptionFields;

namespace DualStack;

// <summary>
// <c>tcp</c> and <c>tcp6</c> descriptions.
// </summary>
// <remarks>
// Servers: <c>tcp:PORT[:interface=X][:backlog=N][:dualmode=false]</c>, <c>tcp6:PORT[:interface=V6]</c>,
// <c>tcp://X:PORT[?backlog=N&amp;dualmode=false]</c>, where X is <c>*</c> (every interface and family),
// an interface name, or an address; Twisted style defaults to <c>0.0.0.0</c> (<c>tcp</c>) or <c>::</c> (<c>tcp6</c>).
// Clients: <c>tcp:host=H:port=P[:timeout=S][:bind=A]</c> (or <c>tcp:H:P</c>, <c>tcp:host=H:P</c>, <c>tcp:port=P:H</c>),
// <c>tcp://H:P[?timeout=S&amp;bind=A]</c>;
// an address gives a <see cref="TcpClientEndpoint"/>, a name a <see cref="HostnameEndpoint"/>.
// </remarks>
internal sealed class TcpDescriptionKind : IDescriptionKind
{
    public static TcpDescriptionKind Instance { get; } = new();

    // <summary>The keywords a server description takes in each syntax (URI style puts the host under <c>host</c>).</summary>
    public static IReadOnlyList<string> ServerKeys(DescriptionSyntax syntax) =>
        syntax == DescriptionSyntax.Uri ? ["host", "port", "backlog", "dualmode"] : ["port", "interface", "backlog", "dualmode"];

    // <summary>The keywords a client description takes in each syntax.</summary>
    public static IReadOnlyList<string> ClientKeys(DescriptionSyntax syntax) =>
        syntax == DescriptionSyntax.Uri
            ? ["host", "port", "timeout", "bind", .. HostnameDescriptionOptions.Keys]
            : ["host", "port", "timeout", "bind", "bindAddress", .. HostnameDescriptionOptions.Keys];

    public IReadOnlyList<string> Names { get; } = ["tcp", "tcp6"];

    public EndpointRole InferRole(DescriptionParts parts)
    {
        if (parts.Syntax == DescriptionSyntax.Twisted)
        {
            // A positional field beside port= can only be a host: a server's one positional field is its port.
            bool hostBesidePort = parts.Positional.Count == 1 && parts.Keyword("port") is not null
                && !LiteralParser.IsAsciiDigits(parts.Positional[0].Value);
            return parts.Keyword("host") is not null || parts.Positional.Count == 2 || hostBesidePort
                ? EndpointRole.Client
                : EndpointRole.Server;
        }

        string host = parts.Keyword("host")!.Value.Value;
        if (host == "*" || (!host.Contains(':') && InterfaceNames.TryGetIndex(host, out _)))
        {
            return EndpointRole.Server;
        }

        return IPLiteral.TryParseAddress(host.Trim('[', ']'), out var address)
            && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                ? EndpointRole.Server
                : EndpointRole.Client;
    }

    public IReadOnlyList<EndpointRole> Roles { get; } = [EndpointRole.Client, EndpointRole.Server];

    public object Parse(DescriptionParts parts, EndpointRole role) => role == EndpointRole.Client ? ParseClient(parts) : ParseServer(parts);

    public string? Format(object endpoint, DescriptionSyntax syntax) => endpoint switch
    {
        TcpClientEndpoint tcp => FormatClient(
            tcp.Host, tcp.Address is not null, tcp.Port, tcp.BindEndPoint,
            tcp.ConnectTimeout == ConnectOptions.Default.ConnectTimeout ? null : tcp.ConnectTimeout,
            tcp.SynthesizeNat64 ? [] : [(HostnameDescriptionOptions.SynthesizeNat64, "false")],
            syntax),
        HostnameEndpoint named => FormatClient(
            named.Host, named.Literal is not null, named.Port, named.BindEndPoint,
            named.ConnectTimeout == ConnectOptions.Default.ConnectTimeout ? null : named.ConnectTimeout,
            HostnameDescriptionOptions.Format(named), syntax),
        TcpServerEndpoint server => FormatServer(server, syntax),
        _ => null,
    };

    public static IStreamServerEndpoint ParseServer(DescriptionParts parts)
    {
        bool v6 = parts.Kind == "tcp6";
        DescriptionParts.Field? interfaceField;
        DescriptionParts.Field portField;
        if (parts.Syntax == DescriptionSyntax.Uri)
        {
            RejectUnknown(parts, [.. ServerKeys(parts.Syntax)]);
            interfaceField = parts.Keyword("host");
            portField = parts.Keyword("port")!.Value;
        }
        else
        {
            RejectUnknown(parts, [.. ServerKeys(parts.Syntax)]);
            interfaceField = parts.Keyword("interface");
            portField = OnePort(parts);
        }

        int port = Port(parts, portField);
        var endpoint = ServerFor(parts, interfaceField, v6, port);

        if (parts.Keyword("dualmode") is { } dualMode)
        {
            if (endpoint.Scope != ListenScope.AllInterfaces)
            {
                throw parts.Error("option 'dualmode'", "only '*' (every interface) takes dualmode", dualMode.Position);
            }

            if (!Bool(parts, dualMode))
            {
                endpoint = TcpServerEndpoint.AllInterfacesPerFamily(port);
            }
        }

        if (parts.Keyword("backlog") is { } backlog)
        {
            endpoint = endpoint with { Backlog = PositiveInt(parts, backlog) };
        }

        return endpoint;
    }

    public static IStreamClientEndpoint ParseClient(DescriptionParts parts)
    {
        if (parts.Kind == "tcp6")
        {
            throw parts.Error("kind", "'tcp6' describes a server; connect with tcp:host=…:port=… or tcp://host:port", 0);
        }

        DescriptionParts.Field hostField;
        DescriptionParts.Field portField;
        if (parts.Syntax == DescriptionSyntax.Uri)
        {
            RejectUnknown(parts, [.. ClientKeys(parts.Syntax)]);
            hostField = parts.Keyword("host")!.Value;
            portField = parts.Keyword("port")!.Value;
        }
        else
        {
            RejectUnknown(parts, [.. ClientKeys(parts.Syntax)]);
            if (parts.Positional.Count > 2)
            {
                throw parts.Error("description", "a client takes at most two positional fields, host and port", parts.Positional[2].Position);
            }

            // Twisted's rule for its tcp and ssl clients: two positional fields are the host and the port; one is the
            // port when host= is given, and the host otherwise.
            bool portOnly = parts.Positional.Count == 1 && parts.Keyword("host") is not null;
            hostField = Required(parts, "host", portOnly ? null : 0);
            portField = Required(parts, "port", portOnly ? 0 : 1);
        }

        int port = Port(parts, portField);
        if (parts.Keyword("bind") is not null && parts.Keyword("bindAddress") is { } alias)
        {
            throw parts.Error("option 'bindAddress'", "'bind' and 'bindAddress' are the same option, given twice", alias.Position);
        }

        var bindField = parts.Keyword("bind") ?? parts.Keyword("bindAddress");
        IPEndPoint? bind = bindField is { } b ? BindEndPoint(parts, b) : null;
        var timeoutField = parts.Keyword("timeout");
        TimeSpan? timeout = timeoutField is { } t ? Seconds(parts, t) : null;

        var address = TryAddress(parts, hostField);
        if (bind is not null && address is not null && bind.AddressFamily != address.AddressFamily)
        {
            // The bind address's family must be the remote's.
            throw parts.Error("option 'bind'", $"bind address {IPLiteral.FormatEndPoint(bind)} is not of the family of {IPLiteral.FormatAddress(address)}", bindField!.Value.Position);
        }

        if (address is not null)
        {
            if (parts.Keywords.FirstOrDefault(k => HostnameDescriptionOptions.Keys.Contains(k.Key) && k.Key != HostnameDescriptionOptions.SynthesizeNat64) is { Key: { } key } nameOnly)
            {
                throw parts.Error($"option '{key}'", "racing options apply to host names, not to one address", nameOnly.Position);
            }

            var endpoint = new TcpClientEndpoint(address, port)
            {
                BindEndPoint = bind,
                SynthesizeNat64 = parts.Keyword(HostnameDescriptionOptions.SynthesizeNat64) is not { } nat64 || Bool(parts, nat64),
            };
            return timeout is { } value ? endpoint with { ConnectTimeout = value } : endpoint;
        }

        var named = new HostnameEndpoint(HostName(parts, hostField), port) { BindEndPoint = bind };
        named = HostnameDescriptionOptions.Apply(parts, named);
        return timeout is { } overall ? named with { ConnectTimeout = overall } : named;
    }

    private static string FormatServer(TcpServerEndpoint endpoint, DescriptionSyntax syntax)
    {
        var options = new List<(string, string)>();
        if (endpoint.Scope == ListenScope.AllInterfacesPerFamily)
        {
            options.Add(("dualmode", "false"));
        }

        if (endpoint.Backlog != TcpServerEndpoint.DefaultBacklog)
        {
            options.Add(("backlog", endpoint.Backlog.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new LocalBinding(endpoint.Scope, endpoint.Address, endpoint.InterfaceName).Format("tcp", endpoint.Port, options, syntax);
    }

    private static string FormatClient(
        string host, bool literal, int port, IPEndPoint? bind, TimeSpan? timeout, IEnumerable<(string Key, string Value)> more, DescriptionSyntax syntax)
    {
        var text = new StringBuilder();
        if (syntax == DescriptionSyntax.Uri)
        {
            text.Append("tcp://").Append(literal && host.Contains(':') ? $"[{host}]" : host).Append(':').Append(port);
        }
        else
        {
            text.Append("tcp:host=").Append(Escape(host)).Append(":port=").Append(port);
        }

        var options = new List<(string, string)>();
        if (timeout is { } t)
        {
            options.Add(("timeout", FormatSeconds(t)));
        }

        if (bind is not null)
        {
            options.Add(("bind", FormatBind(bind)));
        }

        options.AddRange(more);
        return AppendOptions(text, options, syntax);
    }

    private static TcpServerEndpoint ServerFor(DescriptionParts parts, DescriptionParts.Field? interfaceField, bool v6, int port)
    {
        var binding = LocalBinding.Parse(parts, interfaceField, v6);
        return binding.Scope switch
        {
            ListenScope.AllInterfaces => TcpServerEndpoint.AllInterfaces(port),
            ListenScope.Interface => TcpServerEndpoint.ForInterface(binding.InterfaceName!, port),
            _ => new TcpServerEndpoint(binding.Address!, port),
        };
    }

    // The field named key: the positional field at position (null: none stands for it), or the keyword. Where Twisted
    // lets a positional field silently replace a keyword, a field given both ways is refused.
    private static DescriptionParts.Field Required(DescriptionParts parts, string key, int? position)
    {
        var keyword = parts.Keyword(key);
        if (position is { } index && parts.Positional.Count > index)
        {
            return keyword is null
                ? parts.Positional[index]
                : throw parts.Error(key, $"the {key} is given twice", keyword.Value.Position);
        }

        return keyword ?? throw parts.Error(key, $"the {key} is missing (write {key}=…)", parts.Input.Length);
    }
}
