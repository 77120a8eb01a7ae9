using System.Globalization;
using System.Net;
using System.Text;

namespace DualStack;

// <summary>Field readers and writers shared by the description kinds.</summary>
internal static class DescriptionFields
{
    public static void RejectUnknown(DescriptionParts parts, params string[] known)
    {
        foreach (var field in parts.Keywords)
        {
            if (!known.Contains(field.Key))
            {
                throw parts.Error($"option '{field.Key}'", $"unknown option; '{parts.Kind}' takes {string.Join(", ", known)}", field.Position);
            }
        }
    }

    public static int Port(DescriptionParts parts, DescriptionParts.Field field)
    {
        var error = LiteralParser.TryParsePort(field.Value, field.Position, out int port);
        return error is null ? port : throw parts.Error(error.Value);
    }

    public static int PositiveInt(DescriptionParts parts, DescriptionParts.Field field)
    {
        return LiteralParser.IsAsciiDigits(field.Value) && field.Value.Length <= 9
            && int.Parse(field.Value, CultureInfo.InvariantCulture) is > 0 and var value
                ? value
                : throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is not a whole number from 1 to 999999999", field.Position);
    }

    public static bool Bool(DescriptionParts parts, DescriptionParts.Field field) => field.Value switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is not true or false", field.Position),
    };

    // <summary>Seconds as a decimal number (<c>5</c>, <c>0.25</c>), exact to the tick.</summary>
    public static TimeSpan Seconds(DescriptionParts parts, DescriptionParts.Field field)
    {
        if (decimal.TryParse(field.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
            && seconds <= 86_400 && field.Value.Length <= 16
            && (long)(seconds * TimeSpan.TicksPerSecond) is > 0 and var ticks)
        {
            return TimeSpan.FromTicks(ticks);
        }

        throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is not a number of seconds from 0.0000001 to 86400", field.Position);
    }

    public static string FormatSeconds(TimeSpan value) =>
        ((decimal)value.Ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);

    // <summary>An IP literal, bare (<c>::1</c>, <c>fe80::1%eth0</c>) or bracketed (<c>[::1]</c>).</summary>
    public static IPAddress? TryAddress(DescriptionParts parts, DescriptionParts.Field field)
    {
        string value = field.Value;
        int offset = field.Position;
        if (value.StartsWith('['))
        {
            if (!value.EndsWith(']'))
            {
                throw parts.Error("address", "'[' is not closed by ']'", offset);
            }

            var error = LiteralParser.TryParseAddress(value.AsSpan(1, value.Length - 2), offset + 1, out var bracketed);
            if (error is not null)
            {
                throw parts.Error(error.Value);
            }

            return bracketed!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? bracketed
                : throw parts.Error("address", "brackets are only for IPv6 addresses", offset);
        }

        // Anything with a colon, or only digits and dots, can only be a literal: report its own error.
        if (value.Contains(':') || value.Contains('%') || LiteralParser.IsDottedQuadShape(value))
        {
            var error = LiteralParser.TryParseAddress(value, offset, out var address);
            return error is null ? address : throw parts.Error(error.Value);
        }

        return null;
    }

    public static string HostName(DescriptionParts parts, DescriptionParts.Field field)
    {
        var error = DualStack.HostName.TryToAscii(field.Value, field.Position, out string? ascii);
        return error is null ? ascii! : throw parts.Error(error.Value);
    }

    public static IPEndPoint BindEndPoint(DescriptionParts parts, DescriptionParts.Field field)
    {
        var error = LiteralParser.TryParseEndPoint(field.Value, field.Position, portRequired: false, out var endPoint);
        return error is null ? endPoint! : throw parts.Error(error.Value);
    }

    // <summary>Escapes a Twisted-style value: backslash, colon and brackets.</summary>
    // <remarks>
    // The splitter keeps colons inside brackets (<c>interface=[::1]</c>), so an unescaped <c>[</c> in a value (a file
    // name) would swallow the fields after it; escaped brackets are plain characters.
    // </remarks>
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal)
            .Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);

    // <summary>A host for the authority of a URI-style description: IPv6 in brackets.</summary>
    public static string UriHost(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{IPLiteral.FormatAddress(address)}]" : IPLiteral.FormatAddress(address);

    // <summary>Escapes a URI query value: only what would end or change it.</summary>
    public static string EscapeQuery(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("&", "%26", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal);

    public static string FormatBind(IPEndPoint bind) =>
        bind.Port == 0 ? IPLiteral.FormatAddress(bind.Address) : IPLiteral.FormatEndPoint(bind);

    // <summary>The port of a server or datagram description: one positional field, or <c>port=</c>.</summary>
    public static DescriptionParts.Field OnePort(DescriptionParts parts)
    {
        if (parts.Positional.Count > 1)
        {
            throw parts.Error("description", "a server takes one positional field, the port", parts.Positional[1].Position);
        }

        var keyword = parts.Keyword("port");
        if (parts.Positional.Count == 1 && keyword is not null)
        {
            throw parts.Error("port", "the port is given twice", keyword.Value.Position);
        }

        return parts.Positional.Count == 1 ? parts.Positional[0]
            : keyword ?? throw parts.Error("port", "the port is missing", parts.Input.Length);
    }

    // <summary>Appends the options, <c>?k=v&amp;…</c> (URI) or <c>:k=v…</c> (Twisted).</summary>
    public static string AppendOptions(StringBuilder text, List<(string Key, string Value)> options, DescriptionSyntax syntax)
    {
        for (int i = 0; i < options.Count; i++)
        {
            var (key, value) = options[i];
            if (syntax == DescriptionSyntax.Uri)
            {
                text.Append(i == 0 ? '?' : '&').Append(key).Append('=').Append(EscapeQuery(value));
            }
            else
            {
                text.Append(':').Append(key).Append('=').Append(Escape(value));
            }
        }

        return text.ToString();
    }
}
