using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace DualStack.Internal;

// Parsing DNS answers that anyone on the path may have forged (RFC 1035 section 4.1; RFC 5452).
//
// The input is hostile: a datagram that reaches our port may come from anyone, and even the real
// server's answer passes through networks we do not trust. So this parser is written to be fuzzed:
// - Every read is bounds-checked against the message, and every failure is a DnsFormatException,
//   which the resolver treats as "ignore this datagram" over UDP and as a failed lookup over TCP.
//   Nothing else may escape, not even IndexOutOfRangeException: that would be a bug, not an answer.
// - Compression pointers (section 4.1.4) must point strictly before the place the name being read
//   started, and each later pointer strictly before the previous pointer's target. Offsets then only
//   decrease, so no pointer chain can loop, whatever the message holds. Real encoders only ever point
//   back to a name written earlier, so no honest message is refused. Decreasing offsets alone would
//   still let one name take thousands of jumps through a chain of pointers to pointers, and a 64 KiB
//   TCP answer hold thousands of such names, so a name may also take at most 127 jumps (as many as
//   it can have labels); Go's dnsmessage allows only 10, which is tighter than honest encoders need.
// - A name may not exceed 255 bytes on the wire (section 2.3.4), counted over the labels actually
//   read, pointers followed. The label types 01 (extended labels, which RFC 6891 deprecates) and 10
//   (reserved) are refused, which also refuses any "label" longer than 63 bytes.
// - A record's data is read only within its RDLENGTH: an A record must be exactly 4 bytes, an AAAA
//   exactly 16, and a CNAME's name must end exactly at the end of its data.
// - Only the header, the questions and the answers are decoded. The authority and additional
//   sections are not needed to answer "what are the addresses of this name" and are not read, nor
//   are bytes after the last answer.
//
// Rejected options: parsing every section into a full object model (DnsClient.NET) is more code to
// fuzz for data we throw away; using System.Net.Dns internals is impossible (they are not public).
internal static class DnsMessageReader
{
    // <summary>The largest UDP message without EDNS (RFC 1035 section 4.2.1); this client sends no EDNS.</summary>
    public const int MaxUdpLength = 512;

    // <summary>The largest message over TCP, bounded by the 2-byte length prefix (RFC 1035 section 4.2.2).</summary>
    public const int MaxTcpLength = ushort.MaxValue;

    // A name has at most 127 labels (255 bytes of one-byte labels with their length bytes); see the essay.
    private const int MaxPointerJumps = 127;

    // <summary>Parses a message's header, questions and answers.</summary>
    // <exception cref="DnsFormatException">The message is malformed in any way that matters to reading those parts.</exception>
    public static DnsMessage Read(ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxTcpLength)
        {
            throw new DnsFormatException($"the message is {message.Length} bytes long; at most {MaxTcpLength} are allowed");
        }

        if (message.Length < DnsMessageWriter.HeaderLength)
        {
            throw new DnsFormatException($"the message is {message.Length} bytes long, shorter than a header");
        }

        ushort id = BinaryPrimitives.ReadUInt16BigEndian(message);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int questionCount = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int answerCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int offset = DnsMessageWriter.HeaderLength;

        // The counts come from the sender; capacity is not taken from them, so a lying header costs nothing.
        var questions = new List<DnsQuestion>(1);
        for (int i = 0; i < questionCount; i++)
        {
            string name = ReadName(message, ref offset);
            var fixedPart = Slice(message, offset, 4, "question");
            questions.Add(new DnsQuestion(
                name,
                (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedPart),
                BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..])));
            offset += 4;
        }

        var answers = new List<DnsRecord>();
        for (int i = 0; i < answerCount; i++)
        {
            answers.Add(ReadRecord(message, ref offset));
        }

        return new DnsMessage(id, flags, questions, answers);
    }

    private static DnsRecord ReadRecord(ReadOnlySpan<byte> message, ref int offset)
    {
        string name = ReadName(message, ref offset);

        // TYPE (2), CLASS (2), TTL (4), RDLENGTH (2), then RDLENGTH bytes of data.
        var fixedPart = Slice(message, offset, 10, "record header");
        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
        ushort recordClass = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]);
        uint ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]);
        int dataLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[8..]);
        int dataStart = offset + 10;
        var data = Slice(message, dataStart, dataLength, "record data");
        offset = dataStart + dataLength;

        if (recordClass != DnsMessage.ClassInternet)
        {
            // Data of other classes has other formats (CH, HS); the client never uses it.
            return new DnsRecord(name, type, recordClass, ttl, null, null);
        }

        switch (type)
        {
            case DnsRecordType.A:
                return data.Length == 4
                    ? new DnsRecord(name, type, recordClass, ttl, new IPAddress(data), null)
                    : throw new DnsFormatException($"an A record's data is {data.Length} bytes, not 4");

            case DnsRecordType.Aaaa:
                return data.Length == 16
                    ? new DnsRecord(name, type, recordClass, ttl, new IPAddress(data), null)
                    : throw new DnsFormatException($"an AAAA record's data is {data.Length} bytes, not 16");

            case DnsRecordType.CName:
                // The target may point back into the message, so it is read from the whole message.
                int targetOffset = dataStart;
                string target = ReadName(message, ref targetOffset);
                return targetOffset == dataStart + dataLength
                    ? new DnsRecord(name, type, recordClass, ttl, null, target)
                    : throw new DnsFormatException("a CNAME record's name does not end where its data ends");

            default:
                return new DnsRecord(name, type, recordClass, ttl, null, null);
        }
    }

    // <summary>Reads a possibly compressed name at <paramref name="offset"/> and moves past it.</summary>
    internal static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var builder = new StringBuilder();
        int position = offset;

        // Pointer targets must stay below this bound, which only ever decreases (see the essay above).
        int bound = offset;
        bool jumped = false;
        int jumps = 0;
        int wireLength = 0;
        while (true)
        {
            if (position >= message.Length)
            {
                throw new DnsFormatException("a name runs past the end of the message");
            }

            byte length = message[position];
            switch (length & 0xC0)
            {
                case 0x00 when length == 0:
                    if (!jumped)
                    {
                        offset = position + 1;
                    }

                    return builder.Length == 0 ? "." : builder.ToString();

                case 0x00:
                    wireLength += 1 + length;
                    if (wireLength + 1 > DnsName.MaxWireLength)
                    {
                        throw new DnsFormatException($"a name is longer than {DnsName.MaxWireLength} bytes");
                    }

                    var label = Slice(message, position + 1, length, "label");
                    if (builder.Length > 0)
                    {
                        builder.Append('.');
                    }

                    DnsName.AppendLabel(builder, label);
                    position += 1 + length;
                    break;

                case 0xC0:
                    var pointer = Slice(message, position, 2, "compression pointer");
                    int target = BinaryPrimitives.ReadUInt16BigEndian(pointer) & 0x3FFF;
                    if (target >= bound)
                    {
                        throw new DnsFormatException($"a compression pointer at offset {position} points to {target}, not before {bound}");
                    }

                    if (++jumps > MaxPointerJumps)
                    {
                        throw new DnsFormatException($"a name follows more than {MaxPointerJumps} compression pointers");
                    }

                    if (!jumped)
                    {
                        offset = position + 2;
                        jumped = true;
                    }

                    bound = target;
                    position = target;
                    break;

                default:
                    // 01 and 10: extended or reserved label types, or a plain label claimed longer than 63 bytes.
                    throw new DnsFormatException($"byte 0x{length:x2} at offset {position} is neither a label of 63 bytes or less nor a pointer");
            }
        }
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> message, int start, int length, string what) =>
        start <= message.Length && length <= message.Length - start
            ? message.Slice(start, length)
            : throw new DnsFormatException($"the {what} at offset {start} runs past the end of the message");
}
