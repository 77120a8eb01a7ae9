using System.Net;
using System.Text;

namespace DualStack.Tests.Descriptions;

/// <summary>
/// The split of a description into kind and fields, before any kind reads them: the length limits at their exact
/// bounds, a kind that is missing, and the RFC 6874 zone forms that a URI's brackets may hold.
/// </summary>
public class DescriptionPartsTests
{
    [Fact]
    public void Split_DescriptionOfExactlyTheLimit_IsSplit_OneMoreIsRefused()
    {
        string atLimit = TwistedOfLength(DescriptionParts.MaxLength);

        var parts = DescriptionParts.Split(atLimit);
        var e = Assert.Throws<EndpointFormatException>(() => DescriptionParts.Split(atLimit + "x"));

        Assert.Equal("tcp", parts.Kind);
        Assert.Equal(atLimit.Length - "tcp:".Length, parts.Positional.Sum(f => f.Value.Length + 1) - 1);
        Assert.Equal(("description", -1), (e.Field, e.Position));
        Assert.Equal(atLimit[..64] + "…", e.Input); // quoted up to 64 characters, marked as cut
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    [Fact]
    public void Split_ValueOfExactlyTheLimit_IsKept_OneMoreIsRefused()
    {
        string value = new('x', DescriptionParts.MaxValueLength);

        var positional = DescriptionParts.Split("tcp:" + value);
        var keyword = DescriptionParts.Split("tcp:a=" + value);
        var longPositional = Assert.Throws<EndpointFormatException>(() => DescriptionParts.Split("tcp:" + value + "x"));
        var longKeyword = Assert.Throws<EndpointFormatException>(() => DescriptionParts.Split("tcp:a=" + value + "x"));

        Assert.Equal(value, Assert.Single(positional.Positional).Value);
        Assert.Equal(value, keyword.Keyword("a")?.Value);
        Assert.Equal(("field", 4), (longPositional.Field, longPositional.Position));
        Assert.Equal(("option 'a'", 4), (longKeyword.Field, longKeyword.Position));
    }

    [Theory]
    [InlineData(":80")]
    [InlineData("://*:80")]
    public void Split_NoKind_IsRefusedAtTheStart(string description)
    {
        var e = Assert.Throws<EndpointFormatException>(() => DescriptionParts.Split(description));

        Assert.Equal(("kind", 0), (e.Field, e.Position));
    }

    [Fact]
    public void Split_ColonAfterABracketedLiteral_EndsTheField()
    {
        var parts = DescriptionParts.Split("tcp:80:interface=[::1]:backlog=5");

        Assert.Equal("[::1]", parts.Keyword("interface")?.Value);
        Assert.Equal(("5", 23), (parts.Keyword("backlog")?.Value, parts.Keyword("backlog")?.Position));
    }

    [Fact]
    public void Split_UriHostAndPort_HaveTheirPositions()
    {
        var parts = DescriptionParts.Split("tcp://localhost:80?backlog=1&color=blue");

        Assert.Equal(("localhost", 6), (parts.Keyword("host")?.Value, parts.Keyword("host")?.Position));
        Assert.Equal(("80", 16), (parts.Keyword("port")?.Value, parts.Keyword("port")?.Position));
        Assert.Equal(("blue", 29), (parts.Keyword("color")?.Value, parts.Keyword("color")?.Position));
    }

    // Digits alone after %25 are a numeric zone that starts with 25, not an encoded one; so is %25 with nothing after
    // it. After %25, %39 is an encoded '9', decoded like any other hex pair.
    [Theory]
    [InlineData("tcp://[fe80::1%251]:80", 251)]
    [InlineData("tcp://[fe80::1%25]:80", 25)]
    [InlineData("tcp://[fe80::1%25%39]:80", 9)]
    [InlineData("tcp://[fe80::1%25%31%30]:80", 10)]
    public void Parse_UriNumericZone_IsTheIndexWritten(string description, long scopeId)
    {
        var endpoint = Assert.IsType<TcpClientEndpoint>(EndpointDescription.ParseClient(description));

        Assert.Equal(new IPAddress(IPAddress.Parse("fe80::1").GetAddressBytes(), scopeId), endpoint.Address);
    }

    // tcp:xxx…:xxx…: fields of 4,000 characters (under the value limit) up to exactly `length` characters.
    private static string TwistedOfLength(int length)
    {
        var text = new StringBuilder("tcp:");
        while (text.Length < length)
        {
            if (text.Length > 4)
            {
                text.Append(':');
            }

            text.Append('x', Math.Min(4000, length - text.Length));
        }

        return text.ToString();
    }
}
