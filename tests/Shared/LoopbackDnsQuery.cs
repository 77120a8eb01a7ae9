using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Shared;

/// <summary>One query that <see cref="LoopbackDnsServer"/> received.</summary>
/// <param name="Name">The question's name as sent (case kept), without a final dot.</param>
/// <param name="Type">The question's type: <see cref="LoopbackDnsServer.TypeA"/>, <see cref="LoopbackDnsServer.TypeAaaa"/> or another number.</param>
/// <param name="Transport"><see cref="ProtocolType.Udp"/> or <see cref="ProtocolType.Tcp"/>.</param>
/// <param name="Id">The query id.</param>
/// <param name="From">The client's address and source port.</param>
public sealed record LoopbackDnsQuery(string Name, ushort Type, ProtocolType Transport, ushort Id, IPEndPoint From);
