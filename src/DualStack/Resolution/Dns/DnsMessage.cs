namespace DualStack.Internal;

// <summary>A parsed DNS message: its header, its questions and its answer records.</summary>
// <remarks>
// The authority and additional sections are not decoded: a stub resolver asking for A or AAAA needs
// neither, and every byte left unread is a byte that cannot trip the parser.
// </remarks>
internal sealed class DnsMessage
{
    // Header flag bits (RFC 1035 section 4.1.1): QR, OPCODE (4 bits), AA, TC, RD, RA, Z (3 bits), RCODE (4 bits).
    public const ushort ResponseFlag = 0x8000;
    public const ushort TruncatedFlag = 0x0200;
    public const ushort RecursionDesiredFlag = 0x0100;

    public const ushort ClassInternet = 1;

    public DnsMessage(ushort id, ushort flags, IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> answers)
    {
        Id = id;
        Flags = flags;
        Questions = questions;
        Answers = answers;
    }

    public ushort Id { get; }

    public ushort Flags { get; }

    // <summary>The QR bit: set in answers, clear in queries.</summary>
    public bool IsResponse => (Flags & ResponseFlag) != 0;

    // <summary>The OPCODE; 0 is a standard query.</summary>
    public int Opcode => (Flags >> 11) & 0xF;

    // <summary>The TC bit: the answer did not fit in the datagram; ask again over TCP.</summary>
    public bool IsTruncated => (Flags & TruncatedFlag) != 0;

    // <summary>The RCODE (4 bits; this client sends no EDNS, so there is no extended RCODE).</summary>
    public DnsResponseCode ResponseCode => (DnsResponseCode)(Flags & 0xF);

    public IReadOnlyList<DnsQuestion> Questions { get; }

    public IReadOnlyList<DnsRecord> Answers { get; }
}
