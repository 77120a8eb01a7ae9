using System.Net;
using System.Net.Sockets;
using System.Text;
using DualStack.Internal;
using static DualStack.DescriptionFields;

namespace DualStack;

// <summary>
// The local side of a server or datagram description: <c>*</c>, an interface name, or an address, as both the
// <c>tcp</c>/<c>tcp6</c> and the <c>udp</c>/<c>udp6</c> kinds write it.
// </summary>
internal readonly record struct LocalBinding(ListenScope Scope, IPAddress? Address, string? InterfaceName)
{
    // <summary>
    // Reads the <c>interface</c> field (Twisted) or the host (URI). Absent, it is <c>0.0.0.0</c>, or <c>::</c> for the
    // IPv6-only kinds (<paramref name="v6"/>), which take nothing but IPv6 addresses.
    // </summary>
    public static LocalBinding Parse(DescriptionParts parts, DescriptionParts.Field? interfaceField, bool v6)
    {
        if (interfaceField is not { } field)
        {
            return new(ListenScope.Address, v6 ? IPAddress.IPv6Any : IPAddress.Any, null);
        }

        if (field.Value == "*")
        {
            return v6
                ? throw parts.Error("interface", $"'{parts.Kind}' is IPv6 only; use '{parts.Kind[..^1]}' for '*'", field.Position)
                : new(ListenScope.AllInterfaces, null, null);
        }

        var address = TryAddress(parts, field);
        if (address is not null)
        {
            return v6 && address.AddressFamily != AddressFamily.InterNetworkV6
                ? throw parts.Error("interface", $"'{parts.Kind}' needs an IPv6 address, not '{field.Value}'", field.Position)
                : new(ListenScope.Address, address, null);
        }

        if (v6)
        {
            throw parts.Error("interface", $"'{parts.Kind}' needs an IPv6 address, not '{field.Value}'", field.Position);
        }

        if (field.Value.Length == 0)
        {
            throw parts.Error("interface", "the interface is empty", field.Position);
        }

        return InterfaceNames.TryGetIndex(field.Value, out _)
            ? new(ListenScope.Interface, null, field.Value)
            : throw parts.Error("interface", $"no interface named '{field.Value}' (and it is not an address or '*')", field.Position);
    }

    // <summary>
    // Writes <c>KIND://HOST:PORT</c> or <c>KIND:PORT[:interface=HOST]</c> (the interface left out for <c>0.0.0.0</c>)
    // and then the options.
    // </summary>
    public string Format(string kind, int port, List<(string Key, string Value)> options, DescriptionSyntax syntax)
    {
        var text = new StringBuilder();
        bool uri = syntax == DescriptionSyntax.Uri;
        string host = Scope switch
        {
            ListenScope.AllInterfaces or ListenScope.AllInterfacesPerFamily => "*",
            ListenScope.Interface => InterfaceName!,
            _ => uri ? UriHost(Address!) : IPLiteral.FormatAddress(Address!),
        };

        if (uri)
        {
            text.Append(kind).Append("://").Append(host).Append(':').Append(port);
        }
        else
        {
            text.Append(kind).Append(':').Append(port);
            if (!(Scope == ListenScope.Address && Address!.Equals(IPAddress.Any)))
            {
                text.Append(":interface=").Append(Escape(host));
            }
        }

        return AppendOptions(text, options, syntax);
    }
}
