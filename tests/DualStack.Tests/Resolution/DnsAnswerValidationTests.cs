using System.Buffers.Binary;
using DualStack.Internal;

namespace DualStack.Tests.Resolution;

/// <summary>
/// What ties a DNS answer to its query (RFC 5452; docs/resolution-dns.md, "What it ignores"): the id, QR set, OPCODE
/// QUERY, and the question echoed as asked. Each rule on its own, on the bytes, without a socket; the functional tests
/// send the same forgeries over UDP (LoopbackDnsServer.BadAnswersFirst), and the wrong source and the size limit are
/// checked there.
/// </summary>
public class DnsAnswerValidationTests
{
    private const ushort Id = 0x4242;
    private const string Name = "www.example.com";

    [Fact]
    public void Validate_TheAnswerToThisQuery_IsAccepted()
    {
        Assert.Null(DnsResolver.Validate(Answer(), Id, Name, DnsRecordType.Aaaa, out var answer));
        Assert.NotNull(answer);
    }

    [Fact]
    public void Validate_QuestionInAnotherCase_IsAccepted() =>
        Assert.Null(DnsResolver.Validate(Answer(name: "WWW.Example.COM"), Id, Name, DnsRecordType.Aaaa, out _));

    [Theory]
    [InlineData("id", "id 16963 instead of 16962")]
    [InlineData("qr", "not a response")]
    [InlineData("opcode", "not a response")]
    [InlineData("name", "the question is not the one asked")]
    [InlineData("type", "the question is not the one asked")]
    [InlineData("class", "the question is not the one asked")]
    [InlineData("no question", "the question is not the one asked")]
    [InlineData("two questions", "the question is not the one asked")]
    [InlineData("cut short", "runs past the end")]
    public void Validate_AnswerToAnotherQuery_IsRefusedSayingWhy(string fault, string why)
    {
        byte[] message = fault switch
        {
            "id" => Answer(id: Id + 1),
            "qr" => Answer(flags: 0x0180),
            "opcode" => Answer(flags: 0x8980),
            "name" => Answer(name: "www.example.net"),
            "type" => Answer(type: DnsRecordType.A),
            "class" => Answer(recordClass: 3),
            "no question" => Answer(questions: 0),
            "two questions" => Answer(questions: 2, duplicateQuestion: true),
            _ => Answer()[..^3],
        };

        string? problem = DnsResolver.Validate(message, Id, Name, DnsRecordType.Aaaa, out var answer);

        Assert.NotNull(problem);
        Assert.Contains(why, problem, StringComparison.Ordinal);
        Assert.Null(answer);
    }

    // A query for Name, turned into an answer with no records; each parameter breaks one thing.
    private static byte[] Answer(
        int id = Id, ushort flags = 0x8180, string name = Name, DnsRecordType type = DnsRecordType.Aaaa, ushort recordClass = 1, int questions = 1, bool duplicateQuestion = false)
    {
        var query = DnsMessageWriter.WriteQuery((ushort)id, name, type);
        var question = query.AsSpan(DnsMessageWriter.HeaderLength).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(question.AsSpan(question.Length - 2), recordClass);
        byte[] message = [.. query.AsSpan(0, DnsMessageWriter.HeaderLength), .. questions == 0 ? [] : question, .. duplicateQuestion ? question : []];
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)questions);
        return message;
    }
}
