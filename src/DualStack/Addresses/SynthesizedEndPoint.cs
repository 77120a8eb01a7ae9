using System.Net;

namespace DualStack;

// Candidates that carry what NAT64 synthesis found out about an IPv4 destination travel from the resolution layer
// (Nat64.SynthesizeAsync) to the race, which records them in the attempt timeline: this one and UnroutableEndPoint.
// They never reach a socket or a caller: the race connects to a plain copy and records a plain copy.

// <summary>An IPv6 endpoint synthesised from an IPv4 one with the network's NAT64 prefix.</summary>
internal sealed class SynthesizedEndPoint(IPAddress address, int port, IPAddress ipv4) : IPEndPoint(address, port)
{
    // <summary>The IPv4 address the synthesised one stands for.</summary>
    public IPAddress IPv4 { get; } = ipv4;
}
