using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using DualStack.Internal;

namespace DualStack;

/// <summary>Validates DNS host names and converts internationalised names to their ASCII (punycode) form.</summary>
/// <remarks>
/// The rules (RFC 1035 section 2.3.4, RFC 1123 section 2.1, RFC 3696 section 2): at most 253 characters
/// without the optional final dot, labels of 1-63 letters, digits, hyphens or underscores (underscores
/// appear in real names such as <c>_sip._tcp</c>), no label starting or ending with a hyphen, and a last
/// label that is not all digits, so that <c>256.1.1.1</c> or <c>1.2.3</c> is reported as a malformed
/// address rather than looked up as a name. Names with non-ASCII letters are converted with IDNA
/// (<see cref="IdnMapping"/>); ASCII names keep their case.
/// </remarks>
public static class HostName
{
    /// <summary>The longest host name accepted, without the final dot (RFC 1035: 255 octets on the wire).</summary>
    public const int MaxLength = 253;

    /// <summary>The longest label accepted (RFC 1035).</summary>
    public const int MaxLabelLength = 63;

    private static readonly IdnMapping s_idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>Checks a host name and returns its ASCII form (<c>bücher.example</c> becomes <c>xn--bcher-kva.example</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The name is empty, too long, has an invalid label or character, or looks like a malformed IPv4 address.</exception>
    public static string ToAscii(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var error = TryToAscii(host, 0, out var ascii);
        return error is null ? ascii! : throw error.Value.ToException(host);
    }

    /// <summary>Tries to check and convert a host name as <see cref="ToAscii(string)"/> does.</summary>
    /// <returns><see langword="true"/> when <paramref name="host"/> is a valid host name.</returns>
    public static bool TryToAscii([NotNullWhen(true)] string? host, [NotNullWhen(true)] out string? ascii)
    {
        ascii = null;
        return host is not null && TryToAscii(host, 0, out ascii) is null;
    }

    internal static ParseError? TryToAscii(string host, int offset, out string? ascii)
    {
        ascii = null;
        if (host.Length == 0)
        {
            return new ParseError("host", "the host name is empty", offset);
        }

        string candidate = host;
        if (!Ascii.IsValid(host))
        {
            try
            {
                candidate = s_idn.GetAscii(host);
            }
            catch (ArgumentException)
            {
                return new ParseError("host", $"'{host}' is not a valid internationalised domain name", offset);
            }
        }

        var name = candidate.AsSpan();
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        if (name.Length > MaxLength)
        {
            return new ParseError("host", $"the name is {name.Length} characters long; at most {MaxLength} are allowed", offset);
        }

        int labelStart = 0;
        ReadOnlySpan<char> lastLabel = default;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                char c = name[i];
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
                {
                    return new ParseError("host", $"'{c}' is not allowed in a host name", offset + i);
                }

                continue;
            }

            var label = name[labelStart..i];
            if (label.IsEmpty)
            {
                return new ParseError("host", "the name has an empty label", offset + labelStart);
            }

            if (label.Length > MaxLabelLength)
            {
                return new ParseError("host", $"a label is {label.Length} characters long; at most {MaxLabelLength} are allowed", offset + labelStart);
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return new ParseError("host", $"label '{label}' starts or ends with a hyphen", offset + labelStart);
            }

            lastLabel = label;
            labelStart = i + 1;
        }

        if (LiteralParser.IsAsciiDigits(lastLabel))
        {
            return new ParseError("address", $"'{host}' is neither an IPv4 address nor a host name (a name's last label is not all digits)", offset);
        }

        ascii = candidate;
        return null;
    }
}
