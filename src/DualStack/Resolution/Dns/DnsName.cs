using System.Text;

namespace DualStack.Internal;

// <summary>Domain names as the DNS client handles them: presentation form, comparison, limits.</summary>
// <remarks>
// <para>
// A label on the wire is any 1-63 bytes, dots and backslashes included. Names read from a message are
// written in RFC 1035 section 5.1 presentation form so that two different wire names never become the
// same string: <c>.</c> and <c>\</c> inside a label are escaped as <c>\.</c> and <c>\\</c>, and bytes
// outside printable ASCII as <c>\DDD</c>. Host names that <see cref="HostName.ToAscii(string)"/>
// accepts contain none of those, so they are their own presentation form.
// </para>
// <para>
// Comparison ignores ASCII case only (RFC 4343): the escaped form keeps every non-ASCII byte as
// digits, so <see cref="StringComparison.OrdinalIgnoreCase"/> cannot fold anything else.
// </para>
// </remarks>
internal static class DnsName
{
    // <summary>The longest name on the wire, length bytes and the root label included (RFC 1035 section 2.3.4).</summary>
    public const int MaxWireLength = 255;

    // <summary>The longest label (RFC 1035 section 2.3.4); the two high bits of a length byte mark pointers.</summary>
    public const int MaxLabelLength = 63;

    // <summary>Whether two names in presentation form are the same name; a final dot is ignored.</summary>
    public static bool AreEqual(string left, string right) =>
        string.Equals(TrimRoot(left), TrimRoot(right), StringComparison.OrdinalIgnoreCase);

    // <summary>The name without its final dot; the root stays <c>.</c>, and an escaped dot (<c>a\.</c>) is part of the last label.</summary>
    public static string TrimRoot(string name)
    {
        if (name.Length < 2 || name[^1] != '.')
        {
            return name;
        }

        // An odd number of backslashes before the dot escapes it; an even number are escaped backslashes.
        int backslashes = 0;
        for (int i = name.Length - 2; i >= 0 && name[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 0 ? name[..^1] : name;
    }

    // <summary>Appends one wire label to <paramref name="builder"/> in presentation form.</summary>
    public static void AppendLabel(StringBuilder builder, ReadOnlySpan<byte> label)
    {
        foreach (byte b in label)
        {
            if (b is (byte)'.' or (byte)'\\')
            {
                builder.Append('\\').Append((char)b);
            }
            else if (b is > 0x20 and < 0x7F)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('\\').Append((char)('0' + (b / 100))).Append((char)('0' + (b / 10 % 10))).Append((char)('0' + (b % 10)));
            }
        }
    }
}
