namespace DualStack.Internal;

// <summary>One entry of a message's question section.</summary>
// <param name="Name">The name in presentation form without the final dot (see <see cref="DnsName"/>).</param>
// <param name="Type">The QTYPE, which may be a type <see cref="DnsRecordType"/> does not name.</param>
// <param name="Class">The QCLASS; 1 is IN.</param>
internal readonly record struct DnsQuestion(string Name, DnsRecordType Type, ushort Class);
