using System.Buffers.Binary;

namespace DualStack.Internal;

// <summary>Builds the one kind of message the DNS client sends: a standard query with one question and recursion desired.</summary>
internal static class DnsMessageWriter
{
    public const int HeaderLength = 12;

    // <summary>Builds a query for <paramref name="name"/>.</summary>
    // <param name="id">The query id, random per query (RFC 5452).</param>
    // <param name="name">An ASCII host name, already checked by <see cref="HostName.ToAscii(string)"/>; one final dot is allowed.</param>
    // <param name="type">The record type asked for.</param>
    // <exception cref="ArgumentException">The name has an empty label, a label over 63 bytes, a non-ASCII or escape character, or is over 255 bytes on the wire.</exception>
    public static byte[] WriteQuery(ushort id, string name, DnsRecordType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.EndsWith('.') ? name[..^1] : name;

        // Each label costs its length byte plus its bytes (the dots become length bytes), plus the root's 0.
        int nameLength = trimmed.Length + 2;
        if (trimmed.Length == 0 || nameLength > DnsName.MaxWireLength)
        {
            throw new ArgumentException($"'{name}' is empty or longer than {DnsName.MaxWireLength} bytes on the wire", nameof(name));
        }

        var message = new byte[HeaderLength + nameLength + 4];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], DnsMessage.RecursionDesiredFlag);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], 1); // QDCOUNT; ANCOUNT, NSCOUNT, ARCOUNT stay 0.

        int offset = HeaderLength;
        foreach (var range in trimmed.AsSpan().Split('.'))
        {
            var label = trimmed.AsSpan(range);
            if (label.IsEmpty || label.Length > DnsName.MaxLabelLength)
            {
                throw new ArgumentException($"'{name}' has an empty label or one longer than {DnsName.MaxLabelLength} bytes", nameof(name));
            }

            message[offset++] = (byte)label.Length;
            foreach (char c in label)
            {
                // The reader would print '\' escaped, so a name holding one could never match its own answer.
                if (c is <= ' ' or >= (char)0x7F or '\\')
                {
                    throw new ArgumentException($"'{name}' holds a character that is not printable ASCII", nameof(name));
                }

                message[offset++] = (byte)c;
            }
        }

        message[offset++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 2)..], DnsMessage.ClassInternet);
        return message;
    }
}
