using System.Net;
using System.Net.Sockets;
using System.Text;
using DualStack.Internal;

namespace DualStack.Fuzzing;

// Every parser that takes input from outside the program, each as one fuzz target (issue #9).
//
// The contract each target checks, for any input whatever:
// - the parser returns a result or throws its documented exception (EndpointFormatException for addresses, names
//   and descriptions, HostResolutionException for a lookup, DnsFormatException for a DNS message); any other
//   exception escapes the target and is a crash;
// - what formats back round-trips: format(parse(x)) parses to an equal value and formats to the same text;
// - the Try and throwing forms agree.
// A hang is caught by the driver (AFL++'s timeout, or the replay test's time bound).
//
// Text targets decode their input as UTF-8 (invalid sequences become U+FFFD), so the fuzzer reaches every
// character the parsers see from a file or a command line.
/// <summary>The fuzz targets, by name.</summary>
public static class FuzzTargets
{
    // Lazy: SharpFuzz's instrumented library may run only once AFL's shared memory is set up, inside the fuzz loop.
    private static readonly Lazy<DnsResolver> s_dns = new(() => new DnsResolver(new IPEndPoint(IPAddress.Loopback, 53)));

    /// <summary>Every target, in the order <c>fuzz/run.sh</c> lists them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("address", Address),
        new("hostname", Host),
        new("description-client", ClientDescription),
        new("description-server", ServerDescription),
        new("hosts", HostsFile),
        new("ssh-config", SshConfig),
        new("dns", DnsAnswer),
    ];

    /// <summary>The target called <paramref name="name"/>.</summary>
    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));

    /// <summary>IPLiteral: addresses and endpoints, Try and throwing forms, format round trip.</summary>
    public static void Address(ReadOnlyMemory<byte> input)
    {
        string text = Text(input);

        bool parsed = IPLiteral.TryParseAddress(text, out var address);
        var thrown = Catch<EndpointFormatException, IPAddress>(() => IPLiteral.ParseAddress(text), out var viaParse);
        Check(parsed == (thrown is null), $"TryParseAddress says {parsed} but ParseAddress {(thrown is null ? "succeeds" : "throws")}");
        if (parsed)
        {
            Check(address!.Equals(viaParse), "TryParseAddress and ParseAddress give different addresses");
            string formatted = IPLiteral.FormatAddress(address);
            var again = IPLiteral.ParseAddress(formatted);
            Check(address.Equals(again), $"'{formatted}' parses to {again}, not {address}");
            Check(formatted == IPLiteral.FormatAddress(again), $"'{formatted}' formats back differently");
        }

        bool parsedEndPoint = IPLiteral.TryParseEndPoint(text, out var endPoint);
        thrown = Catch<EndpointFormatException, IPEndPoint>(() => IPLiteral.ParseEndPoint(text), out var endPointViaParse);
        Check(parsedEndPoint == (thrown is null), $"TryParseEndPoint says {parsedEndPoint} but ParseEndPoint {(thrown is null ? "succeeds" : "throws")}");
        if (parsedEndPoint)
        {
            Check(endPoint!.Equals(endPointViaParse), "TryParseEndPoint and ParseEndPoint give different endpoints");
            string formatted = IPLiteral.FormatEndPoint(endPoint);
            var again = IPLiteral.ParseEndPoint(formatted);
            Check(endPoint.Equals(again), $"'{formatted}' parses to {again}, not {endPoint}");
            Check(formatted == IPLiteral.FormatEndPoint(again), $"'{formatted}' formats back differently");
        }
    }

    /// <summary>HostName: validation and IDNA are idempotent, and a valid name makes a DNS query that reads back.</summary>
    public static void Host(ReadOnlyMemory<byte> input)
    {
        string text = Text(input);
        bool valid = HostName.TryToAscii(text, out var ascii);
        var thrown = Catch<EndpointFormatException, string>(() => HostName.ToAscii(text), out var viaThrow);
        Check(valid == (thrown is null), $"TryToAscii says {valid} but ToAscii {(thrown is null ? "succeeds" : "throws")}");
        if (!valid)
        {
            return;
        }

        Check(ascii == viaThrow, "TryToAscii and ToAscii give different names");
        Check(HostName.ToAscii(ascii!) == ascii, $"'{ascii}' is not its own ASCII form");

        ushort id = (ushort)text.Length;
        var query = DnsMessageWriter.WriteQuery(id, ascii!, DnsRecordType.Aaaa);
        var read = DnsMessageReader.Read(query);
        Check(read.Id == id && read.Questions is [{ Type: DnsRecordType.Aaaa } question] && DnsName.AreEqual(question.Name, ascii!), $"the query for '{ascii}' does not read back");
    }

    /// <summary>EndpointDescription.ParseClient and InferRole; format round trip in both syntaxes.</summary>
    public static void ClientDescription(ReadOnlyMemory<byte> input)
    {
        string text = Text(input);
        Catch<EndpointFormatException, EndpointRole>(() => EndpointDescription.InferRole(text), out _);
        if (Catch<EndpointFormatException, IStreamClientEndpoint>(() => EndpointDescription.ParseClient(text), out var endpoint) is not null)
        {
            return;
        }

        foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
        {
            string formatted = EndpointDescription.Format(endpoint!, syntax);
            var again = EndpointDescription.ParseClient(formatted);
            Check(endpoint!.Equals(again), $"'{text}' formats as '{formatted}', which parses to another endpoint");
            Check(formatted == EndpointDescription.Format(again, syntax), $"'{formatted}' formats back differently");
        }
    }

    /// <summary>EndpointDescription.ParseServer and ParseDatagram (same syntax for the local side); format round trip in both syntaxes.</summary>
    public static void ServerDescription(ReadOnlyMemory<byte> input)
    {
        string text = Text(input);
        if (Catch<EndpointFormatException, UdpEndpoint>(() => EndpointDescription.ParseDatagram(text), out var datagram) is null)
        {
            foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
            {
                string formatted = EndpointDescription.Format(datagram!, syntax);
                var again = EndpointDescription.ParseDatagram(formatted);
                Check(datagram!.Equals(again), $"'{text}' formats as '{formatted}', which parses to another endpoint");
                Check(formatted == EndpointDescription.Format(again, syntax), $"'{formatted}' formats back differently");
            }
        }

        if (Catch<EndpointFormatException, IStreamServerEndpoint>(() => EndpointDescription.ParseServer(text), out var endpoint) is not null)
        {
            return;
        }

        foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
        {
            string formatted = EndpointDescription.Format(endpoint!, syntax);
            var again = EndpointDescription.ParseServer(formatted);
            Check(endpoint!.Equals(again), $"'{text}' formats as '{formatted}', which parses to another endpoint");
            Check(formatted == EndpointDescription.Format(again, syntax), $"'{formatted}' formats back differently");
        }
    }

    /// <summary>HostsFileResolver.Parse never throws; every name in the text resolves or fails with a resolution error.</summary>
    public static void HostsFile(ReadOnlyMemory<byte> input)
    {
        string text = Text(input);
        var resolver = HostsFileResolver.Parse(text);
        foreach (string name in Words(text))
        {
            Resolve(resolver, name);
        }
    }

    /// <summary>SshConfigResolver.Parse never throws; every word in the text maps and resolves or fails with a documented error.</summary>
    public static void SshConfig(ReadOnlyMemory<byte> input)
    {
        string text = Text(input);
        var inner = new HostTableResolver().Add("example.com", IPAddress.IPv6Loopback).Add("example.com", IPAddress.Loopback);
        var resolver = SshConfigResolver.Parse(text, inner);
        foreach (string name in Words(text))
        {
            var (hostName, port) = resolver.Map(name);
            Check(hostName is not null && port is null or (> 0 and <= 65535), $"'{name}' maps to port {port}");
            Resolve(resolver, name);
        }
    }

    /// <summary>
    /// The DNS codec on a hostile datagram: the reader throws only DnsFormatException; a message it reads is checked as
    /// an answer to the question it carries (so the fuzzer gets past the id and question checks) and interpreted, which
    /// gives addresses or a HostResolutionException.
    /// </summary>
    public static void DnsAnswer(ReadOnlyMemory<byte> input)
    {
        var bytes = input.Span;
        DnsMessage message;
        try
        {
            message = DnsMessageReader.Read(bytes);
        }
        catch (DnsFormatException)
        {
            return;
        }

        Check(bytes.Length <= DnsMessageReader.MaxTcpLength, "a message over 65535 bytes was read");
        if (message.Questions is not [var question, ..])
        {
            return;
        }

        var type = question.Type == DnsRecordType.A ? DnsRecordType.A : DnsRecordType.Aaaa;
        string? problem = DnsResolver.Validate(bytes, message.Id, question.Name, type, out var answer);
        if (problem is not null)
        {
            return;
        }

        try
        {
            var addresses = s_dns.Value.Interpret(answer!, question.Name, question.Name, type, 443);
            var family = type == DnsRecordType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
            Check(addresses.EndPoints.All(e => e.AddressFamily == family && e.Port == 443), "an answer holds an address of the wrong family or port");
        }
        catch (HostResolutionException)
        {
        }
    }

    private static void Resolve(IHostResolver resolver, string name)
    {
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            try
            {
                var task = resolver.ResolveAsync(name, 22, family, CancellationToken.None).AsTask();
                Check(task.IsCompleted, "a table lookup did not complete at once");
                var answer = task.GetAwaiter().GetResult();
                Check(answer.EndPoints.All(e => HostAddresses.Matches(e.Address, family)), $"'{name}' gives an address of the wrong family");
            }
            catch (HostResolutionException)
            {
            }
            catch (EndpointFormatException)
            {
            }
        }
    }

    // The words of a text, as names to look up: at most 32, so that a large input stays fast.
    private static IEnumerable<string> Words(string text) =>
        text.Split([' ', '\t', '\r', '\n', '='], StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Take(32);

    private static string Text(ReadOnlyMemory<byte> input) => Encoding.UTF8.GetString(input.Span);

    private static TException? Catch<TException, TResult>(Func<TResult> parse, out TResult? result)
        where TException : Exception
    {
        try
        {
            result = parse();
            return null;
        }
        catch (TException e)
        {
            result = default;
            return e;
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(what);
        }
    }
}
