namespace DualStack;

/// <summary>Which local addresses a <see cref="TcpServerEndpoint"/> or a <see cref="UdpEndpoint"/> binds.</summary>
public enum ListenScope
{
    /// <summary>Exactly one address: <c>0.0.0.0</c>, <c>::</c>, <c>::1</c>, <c>fe80::1%eth0</c>…</summary>
    Address,

    /// <summary>
    /// Every interface and family (<c>*</c>): one dual-mode socket (<c>IPV6_V6ONLY</c> off) where the host
    /// supports it, else one wildcard socket per family, else IPv4 alone.
    /// </summary>
    AllInterfaces,

    /// <summary>Every interface, one wildcard socket per family (<c>0.0.0.0</c> and <c>::</c> with <c>IPV6_V6ONLY</c> on), the same port on both.</summary>
    AllInterfacesPerFamily,

    /// <summary>Every address of one named interface, both families, link-local ones with their zone.</summary>
    Interface,
}
