namespace DualStack;

/// <summary>One kind of description (<c>tcp</c>, <c>tcp6</c>, <c>tls</c>, <c>udp</c>): where new kinds plug into the parser.</summary>
internal interface IDescriptionKind
{
    IReadOnlyList<string> Names { get; }

    IStreamClientEndpoint ParseClient(DescriptionParts parts);

    IStreamServerEndpoint ParseServer(DescriptionParts parts);

    EndpointRole InferRole(DescriptionParts parts);
}
