namespace DualStack;

// <summary>
// One kind of description (<c>tcp</c>, <c>tcp6</c>, <c>tls</c>, <c>udp</c>): everything about it, parsing and formatting,
// is in its class, so a new kind is one class added to <see cref="EndpointDescription"/>'s list.
// </summary>
internal interface IDescriptionKind
{
    // <summary>The kind names it answers to, as written before the colon.</summary>
    IReadOnlyList<string> Names { get; }

    // <summary>The roles its endpoints can have.</summary>
    IReadOnlyList<EndpointRole> Roles { get; }

    // <summary>Whether a description of this kind reads as a client, a server or a datagram socket.</summary>
    EndpointRole InferRole(DescriptionParts parts);

    // <summary>The endpoint a description of this kind gives in <paramref name="role"/>, one of <see cref="Roles"/>.</summary>
    object Parse(DescriptionParts parts, EndpointRole role);

    // <summary>The description of <paramref name="endpoint"/>; <see langword="null"/> when it is not an endpoint of this kind.</summary>
    string? Format(object endpoint, DescriptionSyntax syntax);
}
