using System.Net.Sockets;

namespace DualStack;

// <summary>"Network unreachable" for an IPv4 address on a host without an IPv4 route to it, saying why NAT64 did not help.</summary>
internal sealed class NoIPv4RouteException(string message) : SocketException((int)SocketError.NetworkUnreachable, message);
