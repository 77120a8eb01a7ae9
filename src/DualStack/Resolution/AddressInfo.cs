using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>One result of <see cref="HostLookup.GetAddressInfoAsync"/>: what getaddrinfo's <c>struct addrinfo</c> holds.</summary>
/// <param name="Family">The address family.</param>
/// <param name="SocketType">The socket type to create.</param>
/// <param name="Protocol">The protocol to create it with.</param>
/// <param name="CanonicalName">The canonical name: on the first result only, when <see cref="AddressInfoOptions.CanonicalName"/> was asked for.</param>
/// <param name="EndPoint">The address and port; an IPv6 link-local address keeps its zone.</param>
public sealed record AddressInfo(AddressFamily Family, SocketType SocketType, ProtocolType Protocol, string? CanonicalName, IPEndPoint EndPoint)
{
    /// <summary>
    /// The IPv4 address this result's IPv6 address was synthesised from, to reach it through NAT64
    /// (<see cref="AddressInfoOptions.SynthesizeNat64"/>); otherwise <see langword="null"/>.
    /// </summary>
    public IPAddress? SynthesizedFrom { get; init; }
}
