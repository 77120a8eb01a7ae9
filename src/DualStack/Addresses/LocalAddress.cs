using System.Net;

namespace DualStack;

/// <summary>A unicast address of a local interface.</summary>
/// <param name="Address">The address; IPv6 link-local addresses carry their interface index as <see cref="IPAddress.ScopeId"/>.</param>
/// <param name="PrefixLength">The length of the on-link prefix, in bits.</param>
public sealed record LocalAddress(IPAddress Address, int PrefixLength)
{
    /// <inheritdoc />
    public override string ToString() => $"{IPLiteral.FormatAddress(Address)}/{PrefixLength}";
}
