using System.Net;

namespace DualStack;

/// <summary>What <see cref="UdpSocket.ReceiveAsync"/> and <see cref="UdpSocket.ReceiveMessageAsync"/> report about one datagram.</summary>
/// <param name="Length">How many bytes of the buffer the datagram filled.</param>
/// <param name="RemoteEndPoint">
/// The sender, IPv4-mapped addresses as IPv4 and link-local IPv6 addresses with their zone (scope id), so that replying
/// to it reaches the same link.
/// </param>
/// <param name="LocalAddress">
/// The local address the datagram was sent to (a multicast group's address for multicast) as the OS reports it, or
/// <see langword="null"/> from <see cref="UdpSocket.ReceiveAsync"/>, which does not ask.
/// </param>
/// <param name="InterfaceIndex">The index of the interface it arrived on, or 0 where not asked or not known.</param>
public readonly record struct ReceivedDatagram(int Length, IPEndPoint RemoteEndPoint, IPAddress? LocalAddress, int InterfaceIndex);
