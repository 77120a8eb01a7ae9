using DualStack.Internal;

namespace DualStack;

// <summary>A description split into its kind and fields, the same shape for both syntaxes, each field with its position.</summary>
// <remarks>
// URI-style descriptions put the authority's host under the key <c>host</c> and its port under <c>port</c>;
// query parameters become keywords. Twisted-style descriptions keep their positional arguments apart.
// </remarks>
internal sealed class DescriptionParts
{
    // The limits are on each value as parsed (unescaped), which formatting keeps, and not on the text: escaping makes the
    // text of the same endpoint up to three times longer ('%' is written '%25' in a URI), so a limit on the text would
    // refuse the description of an endpoint it had just parsed. The text limit only bounds the work of splitting: an
    // endpoint has at most 4 long values (cert, key, trust roots, ALPN list), which escape to 4 × 3 × 4096 characters,
    // well under it.
    public const int MaxValueLength = 4096;

    public const int MaxLength = 65536;

    private DescriptionParts(string input, string kind, DescriptionSyntax syntax)
    {
        Input = input;
        Kind = kind;
        Syntax = syntax;
    }

    public string Input { get; }

    public string Kind { get; }

    public DescriptionSyntax Syntax { get; }

    public List<Field> Positional { get; } = [];

    public List<Field> Keywords { get; } = [];

    public static DescriptionParts Split(string input)
    {
        if (input.Length == 0)
        {
            throw new EndpointFormatException(input, "description", "the description is empty", -1);
        }

        if (input.Length > MaxLength)
        {
            throw new EndpointFormatException(input[..64] + "…", "description", $"the description is {input.Length} characters long; at most {MaxLength} are allowed", -1);
        }

        int schemeEnd = input.IndexOf("://", StringComparison.Ordinal);
        int colon = input.IndexOf(':');
        if (colon <= 0)
        {
            throw new EndpointFormatException(input, "kind", "a description starts with its kind, such as 'tcp:' or 'tcp://'", 0);
        }

        return schemeEnd == colon ? SplitUri(input, colon) : SplitTwisted(input, colon);
    }

    public Field? Keyword(string key)
    {
        foreach (var field in Keywords)
        {
            if (field.Key == key)
            {
                return field;
            }
        }

        return null;
    }

    // <summary>
    // The same description read as another kind without some keywords: how a wrapping kind (<c>tls</c>) hands the
    // fields it does not own to the kind it wraps. The input and every position stay those of the original text,
    // so errors still quote what the user wrote.
    // </summary>
    public DescriptionParts As(string kind, IReadOnlyCollection<string> withoutKeys)
    {
        var parts = new DescriptionParts(Input, kind, Syntax);
        parts.Positional.AddRange(Positional);
        parts.Keywords.AddRange(Keywords.Where(k => !withoutKeys.Contains(k.Key!)));
        return parts;
    }

    public EndpointFormatException Error(string field, string reason, int position) => new(Input, field, reason, position);

    private void CheckValueLength(string field, string value, int position)
    {
        if (value.Length > MaxValueLength)
        {
            throw Error(field, $"the value is {value.Length} characters long; at most {MaxValueLength} are allowed", position);
        }
    }

    public EndpointFormatException Error(ParseError error) => error.ToException(Input);

    private static DescriptionParts SplitTwisted(string input, int colon)
    {
        var parts = new DescriptionParts(input, input[..colon], DescriptionSyntax.Twisted);
        var token = new System.Text.StringBuilder();
        int tokenStart = colon + 1;
        int equals = -1;
        bool inBrackets = false;
        for (int i = colon + 1; i <= input.Length; i++)
        {
            // Besides Twisted's backslash escapes, a bracketed IPv6 literal keeps its colons: interface=[::1].
            if (i == input.Length || (input[i] == ':' && !inBrackets))
            {
                parts.Add(token.ToString(), tokenStart, equals);
                token.Clear();
                tokenStart = i + 1;
                equals = -1;
                continue;
            }

            char c = input[i];
            if (c == '\\')
            {
                if (++i == input.Length)
                {
                    throw new EndpointFormatException(input, "description", "a backslash at the end escapes nothing", i - 1);
                }

                token.Append(input[i]);
                continue;
            }

            inBrackets = c switch
            {
                '[' => true,
                ']' => false,
                _ => inBrackets,
            };

            if (c == '=' && equals < 0)
            {
                equals = token.Length;
            }

            token.Append(c);
        }

        return parts;
    }

    private void Add(string token, int position, int equals)
    {
        if (equals < 0)
        {
            CheckValueLength("field", token, position);
            Positional.Add(new Field(null, token, position));
            return;
        }

        string key = token[..equals];
        if (key.Length == 0)
        {
            throw Error("option", "an option has no name before '='", position);
        }

        AddKeyword(key, token[(equals + 1)..], position);
    }

    private void AddKeyword(string key, string value, int position)
    {
        CheckValueLength($"option '{key}'", value, position);
        if (Keywords.Any(k => k.Key == key))
        {
            throw Error($"option '{key}'", "the option is given twice", position);
        }

        Keywords.Add(new Field(key, value, position));
    }

    private static DescriptionParts SplitUri(string input, int colon)
    {
        var parts = new DescriptionParts(input, input[..colon], DescriptionSyntax.Uri);
        int start = colon + 3;
        int query = input.IndexOf('?', start);
        int end = query < 0 ? input.Length : query;
        var authority = input.AsSpan(start, end - start);
        if (authority.EndsWith("/"))
        {
            authority = authority[..^1];
        }

        if (authority.Contains('/'))
        {
            throw parts.Error("path", "a description has no path after host:port", start + authority.IndexOf('/'));
        }

        if (authority.Contains('@'))
        {
            throw parts.Error("host", "user information ('user@') is not supported", start);
        }

        string host;
        int portStart;
        if (authority.StartsWith("["))
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                throw parts.Error("address", "'[' is not closed by ']'", start);
            }

            host = parts.DecodeZone(authority[..(close + 1)].ToString(), start);
            if (close + 1 < authority.Length && authority[close + 1] != ':')
            {
                throw parts.Error("address", $"unexpected '{authority[close + 1]}' after ']'", start + close + 1);
            }

            portStart = close + 1 < authority.Length ? close + 2 : -1;
        }
        else
        {
            int lastColon = authority.LastIndexOf(':');
            if (authority.IndexOf(':') != lastColon)
            {
                throw parts.Error("address", "an IPv6 address must be written in brackets: [address]:port", start);
            }

            host = (lastColon < 0 ? authority : authority[..lastColon]).ToString();
            portStart = lastColon < 0 ? -1 : lastColon + 1;
        }

        if (host.Length == 0)
        {
            throw parts.Error("host", "the host is empty", start);
        }

        parts.CheckValueLength("host", host, start);
        parts.Keywords.Add(new Field("host", host, start));
        if (portStart < 0)
        {
            throw parts.Error("port", "the port is missing (write host:port)", start + authority.Length);
        }

        parts.Keywords.Add(new Field("port", authority[portStart..].ToString(), start + portStart));

        if (query >= 0)
        {
            int position = query + 1;
            foreach (string pair in input[(query + 1)..].Split('&'))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    throw parts.Error("option", $"'{pair}' is not name=value", position);
                }

                string key = pair[..eq];

                // AddKeyword would refuse these too, the authority having added both keys, but as "given twice"; this
                // says where they belong. Only the reason given differs: field and position are the same.
                if (key is "host" or "port")
                {
                    throw parts.Error($"option '{key}'", "host and port go in the authority, not the query", position);
                }

                parts.AddKeyword(key, Uri.UnescapeDataString(pair[(eq + 1)..]), position);
                position += pair.Length + 1;
            }
        }

        return parts;
    }

    // RFC 6874 writes the zone of an IPv6 literal in a URI as "%25" and the zone, itself percent-encoded ("%25eth0",
    // "%25%65th0"). Digits alone after %25 are ambiguous with a numeric zone starting "25", so they are taken
    // literally, as the plain form of a zone (tcp://[fe80::1%eth0]:5555) is; so is a zone after a plain '%'.
    private string DecodeZone(string bracketed, int position)
    {
        int percent = bracketed.IndexOf('%');
        if (percent < 0 || !bracketed.AsSpan(percent + 1).StartsWith("25"))
        {
            return bracketed;
        }

        int zoneStart = percent + 3;
        string zone = bracketed[zoneStart..^1];
        if (zone.Length == 0 || LiteralParser.IsAsciiDigits(zone))
        {
            return bracketed;
        }

        for (int i = zone.IndexOf('%'); i >= 0; i = zone.IndexOf('%', i + 1))
        {
            if (i + 2 >= zone.Length || !char.IsAsciiHexDigit(zone[i + 1]) || !char.IsAsciiHexDigit(zone[i + 2]))
            {
                string bad = zone[i..Math.Min(i + 3, zone.Length)];
                throw Error(
                    "zone",
                    $"'{bad}' is not a percent-encoded character: after %25, a '%' in the zone is followed by two hexadecimal digits",
                    position + zoneStart + i);
            }
        }

        // Bytes, decoded as UTF-8 (Uri.UnescapeDataString would leave a byte that is not UTF-8 encoded, a second '%').
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(zone);
        int length = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '%')
            {
                bytes[length++] = (byte)((HexValue(bytes[i + 1]) << 4) | HexValue(bytes[i + 2]));
                i += 2;
            }
            else
            {
                bytes[length++] = bytes[i];
            }
        }

        string decoded = System.Text.Encoding.UTF8.GetString(bytes, 0, length);
        if (decoded.Contains('%'))
        {
            throw Error("zone", $"the zone '{decoded}' holds a '%' (written %25); no interface name does", position + zoneStart);
        }

        return string.Concat(bracketed.AsSpan(0, percent + 1), decoded, "]");
    }

    private static int HexValue(byte digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;

    internal readonly record struct Field(string? Key, string Value, int Position);
}
