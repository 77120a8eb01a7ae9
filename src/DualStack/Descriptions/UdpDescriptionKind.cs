using static DualStack.DescriptionFields;

namespace DualStack;

// <summary>
// <c>udp</c> and <c>udp6</c> descriptions: where a <see cref="UdpEndpoint"/> binds.
// </summary>
// <remarks>
// <c>udp:PORT[:interface=X][:reuse=true]</c>, <c>udp6:PORT[:interface=V6]</c>, <c>udp://X:PORT[?reuse=true]</c>, where X
// is <c>*</c> (every interface, both families), an interface name, or an address; Twisted style defaults to
// <c>0.0.0.0</c> (<c>udp</c>) or <c>::</c> (<c>udp6</c>), as <c>tcp</c> does. A UDP socket is neither a client nor a
// server of a stream, so these descriptions parse with <see cref="EndpointDescription.ParseDatagram"/> only.
// </remarks>
internal sealed class UdpDescriptionKind : IDescriptionKind
{
    public static UdpDescriptionKind Instance { get; } = new();

    public IReadOnlyList<string> Names { get; } = ["udp", "udp6"];

    public static IReadOnlyList<string> Keys(DescriptionSyntax syntax) =>
        syntax == DescriptionSyntax.Uri ? ["host", "port", "reuse"] : ["port", "interface", "reuse"];

    public EndpointRole InferRole(DescriptionParts parts) => EndpointRole.Datagram;

    public IReadOnlyList<EndpointRole> Roles { get; } = [EndpointRole.Datagram];

    public object Parse(DescriptionParts parts, EndpointRole role) => ParseDatagram(parts);

    public string? Format(object endpoint, DescriptionSyntax syntax) => endpoint is UdpEndpoint udp ? Format(udp, syntax) : null;

    private static UdpEndpoint ParseDatagram(DescriptionParts parts)
    {
        RejectUnknown(parts, [.. Keys(parts.Syntax)]);
        bool uri = parts.Syntax == DescriptionSyntax.Uri;
        var portField = uri ? parts.Keyword("port")!.Value : OnePort(parts);
        int port = Port(parts, portField);
        var binding = LocalBinding.Parse(parts, parts.Keyword(uri ? "host" : "interface"), v6: parts.Kind == "udp6");
        var endpoint = binding.Scope switch
        {
            ListenScope.AllInterfaces => UdpEndpoint.AllInterfaces(port),
            ListenScope.Interface => UdpEndpoint.ForInterface(binding.InterfaceName!, port),
            _ => new UdpEndpoint(binding.Address!, port),
        };

        return parts.Keyword("reuse") is { } reuse ? endpoint with { ReuseAddress = Bool(parts, reuse) } : endpoint;
    }

    private static string Format(UdpEndpoint endpoint, DescriptionSyntax syntax)
    {
        List<(string, string)> options = endpoint.ReuseAddress ? [("reuse", "true")] : [];
        return new LocalBinding(endpoint.Scope, endpoint.Address, endpoint.InterfaceName).Format("udp", endpoint.Port, options, syntax);
    }
}
