using System.Text;
using CsCheck;

namespace DualStack.Tests.Fuzzing;

/// <summary>
/// Inputs for the fuzz targets without AFL: a seed from the corpus changed by up to eight random edits, as AFL's havoc
/// stage does (flip, set, insert or delete bytes, copy or splice a range, insert a token of the syntax). CsCheck draws
/// the edits, so a failure is reported with a seed that replays it.
/// </summary>
public static class SeedMutations
{
    // Characters and tokens the parsers branch on; inserting them whole reaches deeper than random bytes do.
    private static readonly byte[][] s_tokens =
    [
        .. new[]
        {
            ":", "::", ".", "%", "%25", "[", "]", "/", "//", "?", "&", "=", "\\", "\\:", "*", "!", "\"", "#", " ", "\t", "\n", "\r\n",
            "tcp", "tcp6", "tls", "://", "host=", "port=", "interface=", "backlog=", "timeout=", "cert=", "key=", "ca=",
            "Host ", "HostName ", "Port ", "Match ", "%h", "%%", "lo", "eth0", "xn--", "ü", "\u0000", "\uFFFD",
            "0", "65535", "65536", "4294967296", "255.255.255.255", "::ffff:", "fe80::1", "1.2.3.4",
        }.Select(Encoding.UTF8.GetBytes),
        [0xC0, 0x0C], [0xC0, 0xFF], [0x3F], [0x40], [0x00, 0x01, 0x00, 0x01], [0x00, 0x1C, 0x00, 0x01], [0x00, 0x05, 0x00, 0x01], [0xFF, 0xFF],
    ];

    /// <summary>Mutated inputs, starting from <paramref name="seeds"/>.</summary>
    public static Gen<byte[]> From(IReadOnlyList<byte[]> seeds) =>
        Gen.Select(Gen.Int[0, seeds.Count - 1], Gen.Int[0, seeds.Count - 1], Gen.Int[0, int.MaxValue].Array[1, 8])
            .Select((seed, other, edits) =>
            {
                var bytes = new List<byte>(seeds[seed]);
                foreach (int edit in edits)
                {
                    Apply(bytes, seeds[other], edit);
                }

                return bytes.ToArray();
            });

    private static void Apply(List<byte> bytes, byte[] other, int edit)
    {
        // One random int chooses the edit and its positions: cheap, and CsCheck shrinks it like any int.
        int kind = edit % 8;
        int a = (edit / 8) % Math.Max(1, bytes.Count + 1);
        int b = (edit / 8 / 257) % 256;
        switch (kind)
        {
            case 0 when bytes.Count > 0:
                bytes[a % bytes.Count] ^= (byte)(1 << (b % 8));
                break;
            case 1 when bytes.Count > 0:
                bytes[a % bytes.Count] = (byte)b;
                break;
            case 2:
                bytes.Insert(a, (byte)b);
                break;
            case 3 when bytes.Count > 0:
                bytes.RemoveRange(a % bytes.Count, Math.Min(1 + (b % 8), bytes.Count - (a % bytes.Count)));
                break;
            case 4 when bytes.Count > 0:
                int start = a % bytes.Count;
                int length = Math.Min(1 + (b % 16), bytes.Count - start);
                bytes.InsertRange((a + b) % (bytes.Count + 1), bytes.GetRange(start, length));
                break;
            case 5 when other.Length > 0:
                int from = b % other.Length;
                bytes.InsertRange(a, other.AsSpan(from, Math.Min(1 + (edit % 31), other.Length - from)).ToArray());
                break;
            default:
                bytes.InsertRange(a, s_tokens[b % s_tokens.Length]);
                break;
        }
    }
}
