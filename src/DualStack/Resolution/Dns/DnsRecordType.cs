namespace DualStack.Internal;

// <summary>The record types the DNS client asks for or follows (RFC 1035 section 3.2.2, RFC 3596 section 2.1).</summary>
internal enum DnsRecordType : ushort
{
    A = 1,
    CName = 5,
    Aaaa = 28,
}
