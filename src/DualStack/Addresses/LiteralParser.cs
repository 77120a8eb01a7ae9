using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DualStack.Internal;

namespace DualStack;

// Why our own parser rather than IPAddress.TryParse / IPEndPoint.TryParse alone:
// - IPAddress.TryParse accepts "1", "1.2.3", "0x7f.1" and "[::1]:80" (dropping the port), and
//   turns unknown or malformed zones ("%nosuchif", "%", "%4294967296", "%lo%1") into ScopeId 0
//   without a word (seen with .NET 10 on Linux). Zones are kept as given and bad input is never
//   accepted silently, so each of those is an error here that says what is wrong.
// - IPEndPoint.TryParse("::1:80") gives address ::1:80 and port 0.
// So the grammar (dotted quads, brackets, zones, ports) is checked here, and IPAddress.TryParse
// is only asked about the hex groups of an IPv6 address once its characters are known to be sane.
internal static class LiteralParser
{
    public static ParseError? TryParseAddress(ReadOnlySpan<char> text, int offset, out IPAddress? address)
    {
        address = null;
        if (text.IsEmpty)
        {
            return new ParseError("address", "the address is empty", offset);
        }

        int percent = text.IndexOf('%');
        var body = percent >= 0 ? text[..percent] : text;
        if (body.Contains(':'))
        {
            var error = TryParseIPv6(body, offset, out address);
            if (error is not null)
            {
                return error;
            }

            if (percent >= 0 && address!.IsIPv4MappedToIPv6)
            {
                address = null;
                return new ParseError("zone", "an IPv4-mapped address is IPv4 and takes no zone", offset + percent);
            }

            if (percent >= 0)
            {
                error = TryParseZone(text[(percent + 1)..], offset + percent + 1, out uint scope);
                if (error is not null)
                {
                    address = null;
                    return error;
                }

                address!.ScopeId = scope;
            }

            return null;
        }

        if (percent >= 0)
        {
            return IsDottedQuadShape(body)
                ? new ParseError("zone", "zones are only allowed on IPv6 addresses", offset + percent)
                : new ParseError("address", $"'{body}' is not an IP address", offset);
        }

        return TryParseIPv4(body, offset, out address);
    }

    public static ParseError? TryParseIPv4(ReadOnlySpan<char> text, int offset, out IPAddress? address)
    {
        // The four octets accumulate in one integer, digits are read by hand: no stackalloc (which makes the JIT compile
        // the method fully optimised on first call, a cost every fresh process would pay) and no culture-aware parse.
        address = null;
        uint value = 0;
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            var octet = text[start..i];
            if (part == 4)
            {
                return new ParseError("address", "an IPv4 address has exactly four parts", offset);
            }

            if (octet.IsEmpty || octet.Length > 3 || !IsAsciiDigits(octet))
            {
                return new ParseError("address", $"'{octet}' is not a decimal number from 0 to 255", offset + start);
            }

            // A leading zero means octal to inet_aton but decimal to others: refuse the ambiguity, as inet_pton does.
            if (octet.Length > 1 && octet[0] == '0')
            {
                return new ParseError("address", $"'{octet}' has a leading zero", offset + start);
            }

            int number = 0;
            foreach (char digit in octet)
            {
                number = (number * 10) + (digit - '0');
            }

            if (number > 255)
            {
                return new ParseError("address", $"'{octet}' is larger than 255", offset + start);
            }

            value = (value << 8) | (uint)number;
            part++;
            start = i + 1;
        }

        if (part != 4)
        {
            return new ParseError("address", "an IPv4 address has exactly four parts", offset);
        }

        // IPAddress(long) takes the address as it lies in memory: in network byte order.
        address = new IPAddress((uint)IPAddress.HostToNetworkOrder((int)value));
        return null;
    }

    private static ParseError? TryParseIPv6(ReadOnlySpan<char> text, int offset, out IPAddress? address)
    {
        address = null;
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
            {
                return new ParseError("address", $"'{text}' is not an IPv6 address: unexpected '{c}'", offset);
            }
        }

        int lastColon = text.LastIndexOf(':');
        if (text[(lastColon + 1)..].Contains('.'))
        {
            var error = TryParseIPv4(text[(lastColon + 1)..], offset + lastColon + 1, out _);
            if (error is not null)
            {
                return error.Value with { Reason = "the IPv4 part of an IPv6 address: " + error.Value.Reason };
            }
        }

        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return new ParseError("address", $"'{text}' is not an IPv6 address (eight groups of up to four hex digits, one '::' at most)", offset);
        }

        address = parsed;
        return null;
    }

    public static ParseError? TryParseZone(ReadOnlySpan<char> zone, int offset, out uint scope)
    {
        scope = 0;
        if (zone.IsEmpty)
        {
            return new ParseError("zone", "the zone after '%' is empty", offset);
        }

        if (zone.Contains('%'))
        {
            return new ParseError("zone", "an address has at most one zone", offset);
        }

        if (IsAsciiDigits(zone))
        {
            if (!uint.TryParse(zone, NumberStyles.None, CultureInfo.InvariantCulture, out scope) || scope == 0)
            {
                return new ParseError("zone", $"zone index '{zone}' is not in 1-{uint.MaxValue}", offset);
            }

            return null;
        }

        string name = zone.ToString();
        if (!InterfaceNames.TryGetIndex(name, out scope))
        {
            return new ParseError("zone", $"no interface named '{name}'", offset);
        }

        return null;
    }

    public static ParseError? TryParsePort(ReadOnlySpan<char> text, int offset, out int port)
    {
        port = 0;
        if (text.IsEmpty)
        {
            return new ParseError("port", "the port is missing", offset);
        }

        if (!IsAsciiDigits(text))
        {
            return new ParseError("port", $"'{text}' is not a number", offset);
        }

        if (text.Length > 5 || (port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)) > IPEndPoint.MaxPort)
        {
            port = 0;
            return new ParseError("port", $"'{text}' is out of range (0-65535)", offset);
        }

        return null;
    }

    // <summary>Parses <c>[v6%zone]:port</c> or <c>v4:port</c>; with <paramref name="portRequired"/> off, also a bare address.</summary>
    public static ParseError? TryParseEndPoint(ReadOnlySpan<char> text, int offset, bool portRequired, out IPEndPoint? endPoint)
    {
        endPoint = null;
        ReadOnlySpan<char> host;
        ReadOnlySpan<char> rest;
        int hostOffset;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0)
            {
                return new ParseError("address", "'[' is not closed by ']'", offset);
            }

            host = text[1..close];
            hostOffset = offset + 1;
            rest = text[(close + 1)..];
            if (!host.Contains(':'))
            {
                return new ParseError("address", "brackets are only for IPv6 addresses", offset);
            }
        }
        else
        {
            int colons = text.Count(':');
            if (colons > 1)
            {
                if (portRequired)
                {
                    return new ParseError("address", "an IPv6 address with a port must be written in brackets: [address]:port", offset);
                }

                host = text;
                rest = [];
            }
            else
            {
                int colon = text.IndexOf(':');
                host = colon >= 0 ? text[..colon] : text;
                rest = colon >= 0 ? text[colon..] : [];
            }

            hostOffset = offset;
        }

        var error = TryParseAddress(host, hostOffset, out var address);
        if (error is not null)
        {
            return error;
        }

        int port = 0;
        int restOffset = offset + text.Length - rest.Length;
        if (rest.IsEmpty)
        {
            if (portRequired)
            {
                return new ParseError("port", "the port is missing (write address:port)", restOffset);
            }
        }
        else if (rest[0] != ':')
        {
            return new ParseError("address", $"unexpected '{rest[0]}' after ']'", restOffset);
        }
        else
        {
            error = TryParsePort(rest[1..], restOffset + 1, out port);
            if (error is not null)
            {
                return error;
            }
        }

        endPoint = new IPEndPoint(address!, port);
        return null;
    }

    // <summary>RFC 5952 text for an IPv6 address: lowercase, longest zero run compressed, mixed notation for IPv4-mapped only.</summary>
    public static string FormatIPv6(IPAddress address, bool includeZone)
    {
        // IPAddress.ToString writes every address with 96 leading zero bits in the deprecated
        // IPv4-compatible form (::1:80 becomes ::0.1.0.128); RFC 5952 section 5 keeps mixed
        // notation for IPv4-mapped addresses only. Arrays rather than stackalloc: a method with stackalloc is compiled
        // fully optimised on its first call, and every endpoint made from an IPv6 literal formats it once.
        byte[] bytes = address.GetAddressBytes();
        var buffer = new char[64];
        int length = 0;
        if (address.IsIPv4MappedToIPv6)
        {
            "::ffff:".CopyTo(buffer);
            length = 7;
            address.MapToIPv4().TryFormat(buffer.AsSpan(length), out int written);
            length += written;
        }
        else
        {
            var groups = new ushort[8];
            for (int i = 0; i < 8; i++)
            {
                groups[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2 * i));
            }

            (int runStart, int runLength) = LongestZeroRun(groups);
            for (int i = 0; i < 8; i++)
            {
                if (i == runStart)
                {
                    buffer[length++] = ':';
                    if (i == 0)
                    {
                        buffer[length++] = ':';
                    }

                    i += runLength - 1;
                    continue;
                }

                groups[i].TryFormat(buffer.AsSpan(length), out int written, "x", CultureInfo.InvariantCulture);
                length += written;
                if (i < 7)
                {
                    buffer[length++] = ':';
                }
            }
        }

        var text = new string(buffer, 0, length);
        return includeZone && address.ScopeId != 0 ? text + "%" + FormatZone(address.ScopeId) : text;
    }

    public static string FormatZone(long scopeId) =>
        InterfaceNames.TryGetName((uint)scopeId) ?? scopeId.ToString(CultureInfo.InvariantCulture);

    private static (int Start, int Length) LongestZeroRun(ReadOnlySpan<ushort> groups)
    {
        int bestStart = -1, bestLength = 0;
        for (int i = 0; i < groups.Length; i++)
        {
            // The run of zeros from i (none when groups[i] is not zero); the loop's i++ then steps past the
            // non-zero group that ended it.
            int start = i;
            while (i < groups.Length && groups[i] == 0)
            {
                i++;
            }

            // RFC 5952 4.2.2: a single zero group is not compressed; 4.2.3: the first of equal runs wins.
            if (i - start > bestLength && i - start > 1)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        return (bestStart, bestLength);
    }

    public static bool IsAsciiDigits(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static readonly System.Buffers.SearchValues<char> s_dottedQuadChars = System.Buffers.SearchValues.Create("0123456789.");

    public static bool IsDottedQuadShape(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept(s_dottedQuadChars);
}
