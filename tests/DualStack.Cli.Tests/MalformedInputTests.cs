using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>
/// <c>dualstack describe</c> with bad descriptions: exit code 2,
/// one <c>dualstack: </c> line on stderr quoting the input, nothing on stdout, no stack trace.
/// </summary>
public sealed class MalformedInputTests
{
    // Inputs longer than this need only have their beginning quoted.
    private const int LongInput = 1024;
    private const int QuotedPrefix = 64;

    private static readonly string s_longName = "tcp://" + string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ":80"; // 255 characters
    private static readonly string s_longLabel = "tcp://" + new string('a', 64) + ".example:80";
    private static readonly string s_overlong = "tcp://" + new string('a', 4990) + ":80"; // 5000 characters

    public static IEnumerable<TheoryDataRow<string, string?>> Malformed() =>
    [
        // Brackets.
        Row("unterminated bracket", "tcp://[::1:80"),
        Row("unterminated bracket with zone", "tcp://[fe80::1%lo:80"),
        Row("unterminated bracket, server", "tcp://[::1:80", "server"),
        Row("closing bracket only", "tcp://::1]:80"),
        Row("empty brackets", "tcp://[]:80"),
        Row("junk after bracket", "tcp://[::1]x:80"),
        Row("IPv4 in brackets", "tcp://[127.0.0.1]:80"),

        // Zones.
        Row("empty zone", "tcp://[fe80::1%]:80"),
        Row("empty zone, server", "tcp://[fe80::1%]:80", "server"),
        Row("unknown zone", "tcp://[fe80::1%nosuchif]:80"),
        Row("unknown zone, server", "tcp://[fe80::1%nosuchif]:80", "server"),
        Row("unknown zone, Twisted interface", @"tcp:80:interface=fe80\:\:1%nosuchif"),
        Row("unknown zone, RFC 6874 %25", "tcp://[fe80::1%25nosuchif]:80"),
        Row("two zones", "tcp://[fe80::1%lo%1]:80"),
        Row("zone overflow", "tcp://[fe80::1%4294967296]:80"),
        Row("zone index 0", "tcp://[fe80::1%0]:80"),
        Row("zone on IPv4", "tcp://127.0.0.1%lo:80"),
        Row("zone on IPv4, Twisted host", "tcp:host=127.0.0.1%1:port=80"),
        Row("zone on IPv4, server", "tcp:80:interface=127.0.0.1%lo"),

        // Ports.
        Row("port 65536", "tcp://[::1]:65536"),
        Row("port 65536, server", "tcp:65536"),
        Row("port 99999", "tcp://[::1]:99999"),
        Row("port 99999, Twisted client", "tcp:host=example.com:port=99999"),
        Row("port -1", "tcp://[::1]:-1"),
        Row("port -1, server", "tcp://[::1]:-1", "server"),
        Row("port not a number", "tcp://127.0.0.1:http"),
        Row("port with a letter", "tcp:host=example.com:port=8o"),
        Row("port with six digits", "tcp://[::1]:000080"),
        Row("port missing", "tcp://127.0.0.1"),
        Row("port empty", "tcp://127.0.0.1:"),
        Row("port missing, server", "tcp:interface=lo"),

        // IPv6 literals.
        Row("nine groups", "tcp://[1:2:3:4:5:6:7:8:9]:80"),
        Row("double ::", "tcp://[1::2::3]:80"),
        Row("double ::, server", "tcp://[1::2::3]:80", "server"),
        Row("five hex digits", "tcp://[12345::1]:80"),
        Row("bad embedded IPv4", "tcp://[::ffff:1.2.3.256]:80"),
        Row("IPv6 without brackets", "tcp://a:80:90"),

        // IPv4 literals.
        Row("octet 256", "tcp://256.1.1.1:80"),
        Row("octet 256, server", "tcp:80:interface=256.1.1.1"),
        Row("three octets", "tcp://1.2.3:80"),
        Row("five octets", "tcp://1.2.3.4.5:80"),
        Row("leading zero", "tcp://01.2.3.4:80"),

        // Host names.
        Row("empty host", "tcp://:80"),
        Row("empty host, server", "tcp://:80", "server"),
        Row("empty host, Twisted", "tcp:port=80:host="),
        Row("name of 255 characters", s_longName),
        Row("label of 64 characters", s_longLabel),
        Row("'!' in a name", "tcp://exa!mple.com:80"),
        Row("space in a name", "tcp://ex ample.com:80"),
        Row("leading hyphen", "tcp://-example.com:80"),
        Row("trailing hyphen", "tcp://example-.com:80"),
        Row("empty label", "tcp://a..b:80"),
        Row("unknown interface, server", "tcp:80:interface=nosuchif0"),
        Row("name as server address", "tcp://example.com:80", "server"),

        // Kinds.
        Row("unknown kind", "foo:80"),
        Row("unknown URI kind", "udp7://x:1"),
        Row("no kind", "tcp"),
        Row("empty kind", ":80"),
        Row("tcp6 as a client", @"tcp6:host=\:\:1:port=80", "client"),

        // Options.
        Row("unknown URI option", "tcp://[::1]:80?bogus=1"),
        Row("unknown Twisted option", "tcp:80:bogus=1"),
        Row("server option on a client", "tcp://[::1]:80?backlog=5", "client"),
        Row("option without a value", "tcp://[::1]:80?x"),
        Row("empty query", "tcp://[::1]:80?"),
        Row("duplicated backlog", "tcp:80:backlog=1:backlog=2"),
        Row("duplicated timeout", "tcp://[::1]:80?timeout=1&timeout=2"),
        Row("duplicated port", "tcp:host=a.example:port=1:port=2"),
        Row("positional and keyword port", "tcp:80:port=81"),
        Row("bind and bindAddress both", "tcp:host=a.example:port=80:bind=1.2.3.4:bindAddress=999.1.1.1"),
        Row("backlog 0", "tcp://*:80?backlog=0"),
        Row("timeout 0", "tcp://[::1]:80?timeout=0"),
        Row("timeout below one tick", "tcp://[::1]:80?timeout=0.00000001"),
        Row("timeout not a number", "tcp://[::1]:80?timeout=abc"),
        Row("bind of the other family", "tcp://[::1]:80?bind=127.0.0.1"),

        // Missing or contradictory fields.
        Row("host without port", "tcp:host=example.com"),
        Row("port without host", "tcp:port=443", "client"),
        Row("tcp6 with an IPv4 interface", "tcp6:80:interface=127.0.0.1"),
        Row("tcp6 on *", "tcp6:80:interface=*"),
        Row("dualmode on an address", @"tcp:80:interface=\:\:1:dualmode=false"),
        Row("dualmode on an address, URI", "tcp://[::]:80?dualmode=false"),
        Row("dualmode not a boolean", "tcp://*:80?dualmode=maybe"),

        // The description as a whole.
        Row("dangling backslash", @"tcp:80:interface=lo\"),
        Row("path", "tcp://example.com:80/path"),
        Row("user information", "tcp://user@example.com:80"),
        Row("empty description", ""),
        Row("description of 5000 characters", s_overlong),
        Row("line break inside", "tcp://[::1]:8\n0"),
        Row("leading '@' (response file syntax)", "@nosuchfile"),
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Describe_MalformedInput_ExitsTwoWithOneLineQuotingIt(string input, string? role)
    {
        var result = await CliRunner.RunAsync(Arguments(input, role), TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, Quoted(input));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Describe_MalformedInputWithJson_WritesTheErrorAsOneJsonObject(string input, string? role)
    {
        var result = await CliRunner.RunAsync([.. Arguments(input, role), "--json"], TestContext.Current.CancellationToken);

        CliAssert.UsageError(result, Quoted(input), json: true);
    }

    private static TheoryDataRow<string, string?> Row(string label, string input, string? role = null) =>
        new(input, role) { Label = role is null ? label : $"{label} (--role {role})" };

    private static string[] Arguments(string input, string? role) =>
        role is null ? ["describe", input] : ["describe", input, "--role", role];

    // What the error line must contain: the input, or the beginning of a long one; the error is one line,
    // so a line break inside the input shows as a space; an empty input shows as ''.
    private static string Quoted(string input) => input switch
    {
        "" => "''",
        { Length: > LongInput } => input[..QuotedPrefix],
        _ => input.ReplaceLineEndings(" "),
    };
}
