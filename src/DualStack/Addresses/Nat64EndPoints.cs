using System.Net;
using System.Net.Sockets;

namespace DualStack;

// Candidates that carry what NAT64 synthesis found out about an IPv4 destination, from the resolution layer
// (Nat64.SynthesizeAsync) to the race, which records them in the attempt timeline. They never reach a socket or a
// caller: the race connects to a plain copy and records a plain copy.

// <summary>An IPv6 endpoint synthesised from an IPv4 one with the network's NAT64 prefix.</summary>
internal sealed class SynthesizedEndPoint(IPAddress address, int port, IPAddress ipv4) : IPEndPoint(address, port)
{
    // <summary>The IPv4 address the synthesised one stands for.</summary>
    public IPAddress IPv4 { get; } = ipv4;
}

// <summary>An IPv4 endpoint this host has no IPv4 route to, with no NAT64 prefix to reach it through instead.</summary>
internal sealed class UnroutableEndPoint(IPEndPoint endPoint, string reason) : IPEndPoint(endPoint.Address, endPoint.Port)
{
    // <summary>The error its attempt fails with, without a connect: why it cannot be reached.</summary>
    public SocketException CreateError() => new NoIPv4RouteException(reason);
}

// <summary>"Network unreachable" for an IPv4 address on a host without an IPv4 route to it, saying why NAT64 did not help.</summary>
internal sealed class NoIPv4RouteException(string message) : SocketException((int)SocketError.NetworkUnreachable, message);
