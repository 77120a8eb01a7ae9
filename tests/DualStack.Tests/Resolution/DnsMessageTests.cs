using System.Net;
using CsCheck;
using DualStack.Internal;

namespace DualStack.Tests.Resolution;

public class DnsMessageTests
{
    // Header of an answer: id 0x1234, QR RD RA, RCODE 0, then QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT.
    private static byte[] Header(int questions, int answers, ushort flags = 0x8180) =>
        [0x12, 0x34, (byte)(flags >> 8), (byte)flags, 0, (byte)questions, 0, (byte)answers, 0, 0, 0, 0];

    // www.example.com: "www" at 12, "example" at 16, "com" at 24, root at 28; QTYPE A, QCLASS IN.
    private static readonly byte[] s_question =
        [3, (byte)'w', (byte)'w', (byte)'w', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0, 0, 1, 0, 1];

    /// <summary>www.example.com CNAME edge.example.com, edge.example.com A 192.0.2.1, names compressed as a server would.</summary>
    private static byte[] CompressedAnswer()
    {
        byte[] cname =
        [
            0xC0, 12, // owner: pointer to www.example.com
            0, 5, 0, 1, 0, 0, 0x0E, 0x10, 0, 7, // CNAME IN, TTL 3600, RDLENGTH 7
            4, (byte)'e', (byte)'d', (byte)'g', (byte)'e', 0xC0, 16, // edge + pointer to example.com
        ];
        int edgeOffset = 12 + s_question.Length + 12;
        byte[] a =
        [
            0xC0, (byte)edgeOffset, // owner: pointer to edge.example.com inside the CNAME's data
            0, 1, 0, 1, 0, 0, 0, 60, 0, 4, // A IN, TTL 60, RDLENGTH 4
            192, 0, 2, 1,
        ];
        return [.. Header(1, 2), .. s_question, .. cname, .. a];
    }

    [Fact]
    public void WriteQuery_ThenRead_GivesTheSameQuestion()
    {
        byte[] query = DnsMessageWriter.WriteQuery(0xBEEF, "www.Example.com", DnsRecordType.Aaaa);

        var message = DnsMessageReader.Read(query);

        Assert.Equal(0xBEEF, message.Id);
        Assert.False(message.IsResponse);
        Assert.Equal(DnsMessage.RecursionDesiredFlag, message.Flags);
        Assert.Equal([new DnsQuestion("www.Example.com", DnsRecordType.Aaaa, 1)], message.Questions);
        Assert.Empty(message.Answers);
    }

    [Fact]
    public void WriteQuery_WritesTheRfc1035Layout()
    {
        byte[] query = DnsMessageWriter.WriteQuery(0x1234, "a.bc.", DnsRecordType.A);

        Assert.Equal(
            [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, (byte)'a', 2, (byte)'b', (byte)'c', 0, 0, 1, 0, 1],
            query);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..b")]
    [InlineData("a\\b")]
    [InlineData("a b")]
    public void WriteQuery_BadName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => DnsMessageWriter.WriteQuery(1, name, DnsRecordType.A));
    }

    [Fact]
    public void WriteQuery_LabelLongerThan63_Throws()
    {
        DnsMessageWriter.WriteQuery(1, new string('a', 63) + ".test", DnsRecordType.A);

        Assert.Throws<ArgumentException>(() => DnsMessageWriter.WriteQuery(1, new string('a', 64) + ".test", DnsRecordType.A));
    }

    [Fact]
    public void WriteQuery_NameLongerThan255BytesOnTheWire_Throws()
    {
        // Four labels of 63 make 4 * 64 + 1 = 257 bytes; three of 63 and one of 61 make 255.
        string label = new('a', 63);
        DnsMessageWriter.WriteQuery(1, $"{label}.{label}.{label}.{new string('b', 61)}", DnsRecordType.A);

        Assert.Throws<ArgumentException>(() => DnsMessageWriter.WriteQuery(1, $"{label}.{label}.{label}.{label}", DnsRecordType.A));
    }

    [Fact]
    public void Read_CompressedNames_FollowsPointers()
    {
        var message = DnsMessageReader.Read(CompressedAnswer());

        Assert.True(message.IsResponse);
        Assert.False(message.IsTruncated);
        Assert.Equal(DnsResponseCode.NoError, message.ResponseCode);
        Assert.Equal("www.example.com", message.Questions[0].Name);
        Assert.Equal(2, message.Answers.Count);
        Assert.Equal(new DnsRecord("www.example.com", DnsRecordType.CName, 1, 3600, null, "edge.example.com"), message.Answers[0]);
        Assert.Equal(new DnsRecord("edge.example.com", DnsRecordType.A, 1, 60, IPAddress.Parse("192.0.2.1"), null), message.Answers[1]);
    }

    [Fact]
    public void Read_AaaaRecord_GivesTheAddress()
    {
        byte[] aaaa = [0xC0, 12, 0, 28, 0, 1, 0, 0, 0, 1, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        byte[] question = [.. s_question[..^4], 0, 28, 0, 1];

        var message = DnsMessageReader.Read([.. Header(1, 1), .. question, .. aaaa]);

        Assert.Equal(IPAddress.Parse("2001:db8::1"), message.Answers[0].Address);
    }

    [Fact]
    public void Read_PointerToItself_IsRejected()
    {
        byte[] message = [.. Header(1, 0), 0xC0, 12, 0, 1, 0, 1];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Fact]
    public void Read_PointerLoopThroughALabel_IsRejected()
    {
        // Question: "a" then a pointer back to the "a" at 12: a.a.a.a… for ever unless pointers are checked.
        byte[] message = [.. Header(1, 0), 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Fact]
    public void Read_TwoPointersPointingAtEachOther_AreRejected()
    {
        // The answer's owner (at 33) points to 35, which points back to 33.
        byte[] message = [.. Header(1, 1), .. s_question, 0xC0, 35, 0xC0, 33, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Fact]
    public void Read_ForwardPointer_IsRejected()
    {
        // The question's name points past itself, to a valid name further on: honest encoders never do that.
        byte[] message = [.. Header(1, 0), 0xC0, 18, 0, 1, 0, 1, 1, (byte)'a', 0];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Fact]
    public void Read_LongChainOfPointersToPointers_IsRejected()
    {
        // 200 pointers, each to the one before it, the first to the root name at 12: decreasing, but 200
        // jumps. They sit in a TXT record's data (opaque), and the next record's owner points to the last.
        var bytes = new List<byte>(Header(1, 2)) { 0, 0, 1, 0, 1 };
        bytes.AddRange([0, 0, 16, 0, 1, 0, 0, 0, 1, 1, 144]); // root owner, TXT IN, TTL 1, RDLENGTH 400
        const int First = 28;
        for (int i = 0; i < 200; i++)
        {
            int target = i == 0 ? 12 : First + ((i - 1) * 2);
            bytes.Add((byte)(0xC0 | (target >> 8)));
            bytes.Add((byte)target);
        }

        int last = First + (199 * 2);
        bytes.AddRange([(byte)(0xC0 | (last >> 8)), (byte)last, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);

        var e = Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(bytes.ToArray()));
        Assert.Contains("127", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EveryTruncation_IsRejected()
    {
        byte[] whole = CompressedAnswer();

        for (int length = 0; length < whole.Length; length++)
        {
            Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(whole.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(0x40)] // 64: one more than a label may hold, and the 01 "extended label" type
    [InlineData(0x7F)]
    [InlineData(0x80)] // the reserved 10 type
    public void Read_LabelLengthOver63_IsRejected(byte length)
    {
        byte[] message = [.. Header(1, 0), length, .. new byte[length], 0, 0, 1, 0, 1];

        var e = Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
        Assert.Contains("63", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NameLongerThan255Bytes_IsRejected()
    {
        var name = new List<byte>();
        for (int i = 0; i < 5; i++)
        {
            name.Add(63);
            name.AddRange(new byte[63]);
        }

        byte[] message = [.. Header(1, 0), .. name, 0, 0, 1, 0, 1];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(1, 5)]
    [InlineData(28, 4)]
    [InlineData(28, 15)]
    public void Read_AddressOfTheWrongLength_IsRejected(int type, int length)
    {
        byte[] message = [.. Header(1, 1), .. s_question, 0xC0, 12, 0, (byte)type, 0, 1, 0, 0, 0, 1, 0, (byte)length, .. new byte[length]];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Fact]
    public void Read_CNameWhoseNameEndsBeforeItsData_IsRejected()
    {
        byte[] message = [.. Header(1, 1), .. s_question, 0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 3, 0xC0, 16, 0];

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
    }

    [Fact]
    public void Read_UnknownTypesAndClasses_AreKeptWithoutData()
    {
        // A TXT record, and an A record of class CH (3) whose 2-byte data would be wrong for IN.
        byte[] txt = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 1, 0, 2, 1, (byte)'x'];
        byte[] chaos = [0xC0, 12, 0, 1, 0, 3, 0, 0, 0, 1, 0, 2, 1, 2];

        var message = DnsMessageReader.Read([.. Header(1, 2), .. s_question, .. txt, .. chaos]);

        Assert.Equal((DnsRecordType)16, message.Answers[0].Type);
        Assert.Null(message.Answers[1].Address);
        Assert.Equal(3, message.Answers[1].Class);
    }

    [Fact]
    public void Read_LabelsWithDotsOrBinaryBytes_AreEscaped()
    {
        // One label "a.b\" then one label of bytes 0x00 and 0xFF: it must not read as the name a.b.
        byte[] message = [.. Header(1, 0), 4, (byte)'a', (byte)'.', (byte)'b', (byte)'\\', 2, 0x00, 0xFF, 0, 0, 1, 0, 1];

        var name = DnsMessageReader.Read(message).Questions[0].Name;

        Assert.Equal("a\\.b\\\\.\\000\\255", name);
        Assert.False(DnsName.AreEqual(name, "a.b"));
    }

    [Fact]
    public void Read_RootName_IsADot()
    {
        byte[] message = [.. Header(1, 0), 0, 0, 1, 0, 1];

        Assert.Equal(".", DnsMessageReader.Read(message).Questions[0].Name);
    }

    [Fact]
    public void Read_MoreThan65535Bytes_IsRejected()
    {
        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(new byte[DnsMessageReader.MaxTcpLength + 1]));
    }

    [Theory]
    [InlineData("Example.COM", "example.com", true)]
    [InlineData("example.com.", "example.com", true)]
    [InlineData("example.com", "example.org", false)]
    [InlineData("\\069xample.com", "example.com", false)] // escaped bytes are compared as written, never folded
    [InlineData("a\\.", "a", false)] // an escaped final dot belongs to the label
    [InlineData("a\\\\.", "a\\\\", true)] // an escaped backslash, then the final dot
    public void AreEqual_IgnoresAsciiCaseAndTheFinalDot(string left, string right, bool equal)
    {
        Assert.Equal(equal, DnsName.AreEqual(left, right));
    }

    [Fact]
    public void Read_HeaderAlone_IsAMessageWithNothingInIt()
    {
        var message = DnsMessageReader.Read(Header(0, 0));

        Assert.Equal(0x1234, message.Id);
        Assert.Empty(message.Questions);
        Assert.Empty(message.Answers);
    }

    [Fact]
    public void Read_LargestTcpMessage_IsRead()
    {
        // 65,535 bytes: the header, one question, then bytes of sections that are not read.
        byte[] message = [.. Header(1, 0), .. s_question, .. new byte[DnsMessageReader.MaxTcpLength - 12 - s_question.Length]];

        Assert.Equal("www.example.com", DnsMessageReader.Read(message).Questions[0].Name);
    }

    [Theory]
    [InlineData(61, true)]  // 3 × (1 + 63) + (1 + 61) + the root's 1 = 255 bytes
    [InlineData(62, false)] // 256 bytes
    public void Read_NameOf255BytesOnTheWire_IsTheLongestAccepted(int lastLabel, bool accepted)
    {
        var name = new List<byte>();
        foreach (int length in new[] { 63, 63, 63, lastLabel })
        {
            name.Add((byte)length);
            name.AddRange(Enumerable.Repeat((byte)'a', length));
        }

        byte[] message = [.. Header(1, 0), .. name, 0, 0, 1, 0, 1];

        if (accepted)
        {
            Assert.Equal(3 + (3 * 63) + lastLabel, DnsMessageReader.Read(message).Questions[0].Name.Length);
        }
        else
        {
            AssertRejected(message);
        }
    }

    [Theory]
    [InlineData(127, true)]
    [InlineData(128, false)]
    public void Read_NameFollowing127Pointers_IsTheMostAccepted(int jumps, bool accepted)
    {
        // As in the 200-pointer chain above: the answer's owner points to the last pointer of a chain in a TXT
        // record's data, each pointer to the one before it, the first to the root name at 12.
        int chain = jumps - 1;
        var bytes = new List<byte>(Header(1, 2)) { 0, 0, 1, 0, 1 };
        bytes.AddRange([0, 0, 16, 0, 1, 0, 0, 0, 1, (byte)((chain * 2) >> 8), (byte)(chain * 2)]);
        const int First = 28;
        for (int i = 0; i < chain; i++)
        {
            int target = i == 0 ? 12 : First + ((i - 1) * 2);
            bytes.Add((byte)(0xC0 | (target >> 8)));
            bytes.Add((byte)target);
        }

        int last = First + ((chain - 1) * 2);
        bytes.AddRange([(byte)(0xC0 | (last >> 8)), (byte)last, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]);

        if (accepted)
        {
            Assert.Equal(".", DnsMessageReader.Read(bytes.ToArray()).Answers[1].Name);
        }
        else
        {
            AssertRejected(bytes.ToArray());
        }
    }

    [Fact]
    public void Read_EmptyRecordDataAtTheEnd_IsRead()
    {
        byte[] txt = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 1, 0, 0];

        var message = DnsMessageReader.Read([.. Header(1, 1), .. s_question, .. txt]);

        Assert.Equal(("www.example.com", (DnsRecordType)16), (message.Answers[0].Name, message.Answers[0].Type));
    }

    [Fact]
    public void Read_Malformed_SaysWhatIsWrong()
    {
        byte[][] malformed =
        [
            new byte[DnsMessageReader.MaxTcpLength + 1],
            [.. Header(0, 0)[..11]],
            [.. Header(1, 0), 3, (byte)'w'], // a label past the end
            [.. Header(1, 0), 0xC0, 12, 0, 1, 0, 1], // a pointer to itself
            [.. Header(1, 0), 0x40, .. new byte[64], 0, 0, 1, 0, 1], // a label type that is not 00 or 11
            [.. Header(1, 0), 3, (byte)'w', (byte)'w', (byte)'w'], // a name without its end
            [.. Header(1, 1), .. s_question, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3], // A of 3 bytes
            [.. Header(1, 1), .. s_question, 0xC0, 12, 0, 28, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4], // AAAA of 4 bytes
            [.. Header(1, 1), .. s_question, 0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 3, 0xC0, 16, 0], // CNAME ends early
            [.. Header(1, 1), .. s_question, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2], // data past the end
        ];

        foreach (byte[] message in malformed)
        {
            AssertRejected(message);
        }
    }

    private static void AssertRejected(byte[] message)
    {
        var e = Assert.Throws<DnsFormatException>(() => DnsMessageReader.Read(message));
        Assert.False(string.IsNullOrWhiteSpace(e.Message), "every error says what is wrong");
    }

    [Fact]
    public void Read_RandomBytes_ThrowsOnlyDnsFormatException()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            try
            {
                DnsMessageReader.Read(bytes);
            }
            catch (DnsFormatException)
            {
            }
        });
    }

    [Fact]
    public void Read_MutatedAnswers_ThrowOnlyDnsFormatException()
    {
        // Random bytes rarely get past the header; flipping a few bytes of a real answer reaches the
        // name, pointer and record code.
        byte[] whole = CompressedAnswer();
        Gen.Select(Gen.Int[0, whole.Length - 1].Array[1, 4], Gen.Byte.Array[4], Gen.Int[0, whole.Length]).Sample((positions, values, length) =>
        {
            byte[] mutated = whole[..length];
            for (int i = 0; i < positions.Length; i++)
            {
                if (positions[i] < mutated.Length)
                {
                    mutated[positions[i]] = values[i];
                }
            }

            try
            {
                DnsMessageReader.Read(mutated);
            }
            catch (DnsFormatException)
            {
            }
        });
    }
}
