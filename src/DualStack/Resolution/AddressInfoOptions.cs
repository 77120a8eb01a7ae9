namespace DualStack;

/// <summary>Options for <see cref="HostLookup.GetAddressInfoAsync"/>, after getaddrinfo's <c>AI_*</c>.</summary>
[Flags]
public enum AddressInfoOptions
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>With no host, give the wildcard addresses to listen on (<c>AI_PASSIVE</c>); without it, the loopback addresses.</summary>
    Passive = 1,

    /// <summary>Report the canonical name in the first result (<c>AI_CANONNAME</c>).</summary>
    CanonicalName = 2,

    /// <summary>The host must be an address literal; names fail without a lookup (<c>AI_NUMERICHOST</c>).</summary>
    NumericHost = 4,

    /// <summary>The service must be a port number; names fail (<c>AI_NUMERICSERV</c>).</summary>
    NumericService = 8,

    /// <summary>Leave out a family unless this machine has a non-loopback address of it (<c>AI_ADDRCONFIG</c>).</summary>
    AddressConfig = 16,

    /// <summary>
    /// Replace each IPv4 address this host has no IPv4 route to (on an IPv6-only network) by the IPv6 address that reaches
    /// it through the network's NAT64 translator, found with <see cref="Nat64.DiscoverPrefixesAsync"/> through the hints'
    /// resolver; <see cref="AddressInfo.SynthesizedFrom"/> names the IPv4 address. Only when both families are asked for.
    /// Without a NAT64 prefix the IPv4 address stays.
    /// </summary>
    SynthesizeNat64 = 32,
}
