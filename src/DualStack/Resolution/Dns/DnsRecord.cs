using System.Net;

namespace DualStack.Internal;

// <summary>One resource record of a message's answer section, with its data decoded where the client needs it.</summary>
// <param name="Name">The owner name in presentation form without the final dot (see <see cref="DnsName"/>).</param>
// <param name="Type">The TYPE, which may be a type <see cref="DnsRecordType"/> does not name.</param>
// <param name="Class">The CLASS; 1 is IN.</param>
// <param name="TimeToLive">The TTL in seconds (kept for callers that cache; this client does not).</param>
// <param name="Address">The address of an IN-class A or AAAA record, else <see langword="null"/>.</param>
// <param name="Target">The canonical name of a CNAME record, else <see langword="null"/>.</param>
internal sealed record DnsRecord(string Name, DnsRecordType Type, ushort Class, uint TimeToLive, IPAddress? Address, string? Target);
