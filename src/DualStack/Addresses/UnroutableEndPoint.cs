using System.Net;
using System.Net.Sockets;

namespace DualStack;

// <summary>
// An IPv4 endpoint this host has no IPv4 route to, with no NAT64 prefix to reach it through instead (see
// <see cref="SynthesizedEndPoint"/>): its attempt fails at once, without a connect.
// </summary>
internal sealed class UnroutableEndPoint(IPEndPoint endPoint, string reason) : IPEndPoint(endPoint.Address, endPoint.Port)
{
    // <summary>The error its attempt fails with: why it cannot be reached.</summary>
    public SocketException CreateError() => new NoIPv4RouteException(reason);
}
