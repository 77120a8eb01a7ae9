using System.Net.Security;

namespace DualStack;

// <summary>ALPN protocol lists: equality as lists, and their text in descriptions (<c>h2,http/1.1</c>).</summary>
internal static class TlsProtocols
{
    // No list and an empty list both mean "no ALPN".
    public static bool SequenceEqual(IReadOnlyList<SslApplicationProtocol>? left, IReadOnlyList<SslApplicationProtocol>? right) =>
        ReferenceEquals(left, right) || (left ?? []).SequenceEqual(right ?? []);

    public static int GetHashCode(IReadOnlyList<SslApplicationProtocol>? protocols)
    {
        var hash = default(HashCode);
        foreach (var protocol in protocols ?? [])
        {
            hash.Add(protocol);
        }

        return hash.ToHashCode();
    }

    public static List<SslApplicationProtocol>? ToList(IReadOnlyList<SslApplicationProtocol>? protocols) =>
        protocols is { Count: > 0 } ? [.. protocols] : null;

    public static string Format(IReadOnlyList<SslApplicationProtocol> protocols) => string.Join(',', protocols);
}
