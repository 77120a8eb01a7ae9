namespace DualStack.Tests.Addresses;

public class HostNameTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Example.COM.", "Example.COM.")]
    [InlineData("_sip._tcp.example.com", "_sip._tcp.example.com")]
    [InlineData("localhost", "localhost")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("1.example", "1.example")]
    [InlineData("a-b.c", "a-b.c")]
    public void ToAscii_ValidName_GivesAsciiForm(string input, string expected)
    {
        Assert.Equal(expected, HostName.ToAscii(input));
    }

    [Fact]
    public void ToAscii_LongestValidName_IsAccepted()
    {
        string label = new('a', 63);
        string name = $"{label}.{label}.{label}.{new string('b', 61)}";

        Assert.Equal(253, name.Length);
        Assert.Equal(name, HostName.ToAscii(name));
        Assert.Equal(name + ".", HostName.ToAscii(name + "."));
    }

    [Theory]
    [InlineData("", "host")]
    [InlineData("a..b", "host")]
    [InlineData(".a", "host")]
    [InlineData("-a.example", "host")]
    [InlineData("a-.example", "host")]
    [InlineData("a b", "host")]
    [InlineData("a/b", "host")]
    [InlineData("1.2.3", "address")]
    [InlineData("256.1.1.1", "address")]
    [InlineData("example.123", "address")]
    public void ToAscii_InvalidName_ThrowsNamingField(string input, string field)
    {
        var e = Assert.Throws<EndpointFormatException>(() => HostName.ToAscii(input));

        Assert.Equal(field, e.Field);
        Assert.False(HostName.TryToAscii(input, out _));
    }

    [Fact]
    public void ToAscii_OversizedNameOrLabel_SaysHowLong()
    {
        string tooLong = string.Join('.', Enumerable.Repeat(new string('a', 50), 6));
        string longLabel = new string('a', 64) + ".example";

        Assert.Contains("at most 253", Assert.Throws<EndpointFormatException>(() => HostName.ToAscii(tooLong)).Message, StringComparison.Ordinal);
        Assert.Contains("at most 63", Assert.Throws<EndpointFormatException>(() => HostName.ToAscii(longLabel)).Message, StringComparison.Ordinal);
    }
}
