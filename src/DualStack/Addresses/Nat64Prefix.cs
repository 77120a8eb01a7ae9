using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DualStack;

// RFC 6052 section 2.2: the IPv4 address's 32 bits follow the prefix, except that bits 64-71 (the "u" octet) are
// always zero and skipped; whatever follows the IPv4 address (the suffix) is zero. For a /96 prefix the IPv4 address
// is simply the last 32 bits. Every length works byte by byte, since each is a multiple of 8.

/// <summary>
/// A NAT64 prefix (RFC 6052): the IPv6 prefix under which a translator makes IPv4 addresses reachable from IPv6, such as
/// the well-known <c>64:ff9b::/96</c>.
/// </summary>
/// <remarks>
/// <para>
/// On an IPv6-only network, a NAT64 translator reaches the IPv4 address <c>198.51.100.7</c> through an IPv6 address made
/// of the prefix and the IPv4 address's bits: <c>64:ff9b::c633:6407</c> (printed <c>64:ff9b::198.51.100.7</c> by some
/// tools). <see cref="Synthesize"/> makes that address and <see cref="TryExtract"/> reads the IPv4 address back.
/// </para>
/// <para>
/// The prefix length is one of 32, 40, 48, 56, 64 and 96. For the shorter ones the IPv4 address is split around bits
/// 64-71 of the IPv6 address, which are always zero. <see cref="Nat64.DiscoverPrefixesAsync"/> finds the network's
/// prefix.
/// </para>
/// </remarks>
public sealed record Nat64Prefix
{
    private static readonly int[] s_lengths = [32, 40, 48, 56, 64, 96];

    // The prefix's bytes; those past the prefix length are zero.
    private readonly byte[] _bytes;

    /// <summary>Creates a prefix from its address and length.</summary>
    /// <param name="address">The prefix, an IPv6 address whose bits past <paramref name="length"/> are zero (<c>64:ff9b::</c>).</param>
    /// <param name="length">The prefix length: 32, 40, 48, 56, 64 or 96.</param>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not an IPv6 address, has a zone, or has bits set past the prefix length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not one of RFC 6052's lengths.</exception>
    public Nat64Prefix(IPAddress address, int length)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Array.IndexOf(s_lengths, length) < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "a NAT64 prefix is 32, 40, 48, 56, 64 or 96 bits long");
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId != 0)
        {
            throw new ArgumentException($"a NAT64 prefix is an IPv6 address without a zone, not {address}", nameof(address));
        }

        _bytes = address.GetAddressBytes();
        if (_bytes.AsSpan(length / 8).ContainsAnyExcept((byte)0))
        {
            throw new ArgumentException($"{address}/{length} has bits set past its length", nameof(address));
        }

        Address = address;
        Length = length;
    }

    /// <summary>The well-known prefix, <c>64:ff9b::/96</c> (RFC 6052 section 2.1).</summary>
    public static Nat64Prefix WellKnown { get; } = new(IPAddress.Parse("64:ff9b::"), 96);

    /// <summary>The prefix's address, such as <c>64:ff9b::</c>.</summary>
    public IPAddress Address { get; }

    /// <summary>The prefix length in bits: 32, 40, 48, 56, 64 or 96.</summary>
    public int Length { get; }

    /// <summary>Parses a prefix written <c>address/length</c>, such as <c>64:ff9b::/96</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is not a NAT64 prefix; the message says why.</exception>
    public static Nat64Prefix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var prefix, out string? error) ? prefix : throw new FormatException($"'{text}' is not a NAT64 prefix: {error}");
    }

    /// <summary>Parses a prefix written <c>address/length</c>; <see langword="false"/> when it is not one.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Nat64Prefix? prefix) => TryParse(text, out prefix, out _);

    /// <summary>Makes the IPv6 address through which the translator reaches <paramref name="ipv4"/>.</summary>
    /// <param name="ipv4">An IPv4 address (an IPv4-mapped IPv6 address is taken as its IPv4 address).</param>
    /// <returns>The synthesised IPv6 address.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ipv4"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="ipv4"/> is not an IPv4 address.</exception>
    public IPAddress Synthesize(IPAddress ipv4)
    {
        ArgumentNullException.ThrowIfNull(ipv4);
        if (ipv4.IsIPv4MappedToIPv6)
        {
            ipv4 = ipv4.MapToIPv4();
        }

        if (ipv4.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"only an IPv4 address can be synthesised into {this}, not {ipv4}", nameof(ipv4));
        }

        Span<byte> v4 = stackalloc byte[4];
        ipv4.TryWriteBytes(v4, out _);
        var bytes = new byte[16];
        _bytes.AsSpan(0, Length / 8).CopyTo(bytes);
        int at = Length / 8;
        foreach (byte b in v4)
        {
            at += at == 8 ? 1 : 0;
            bytes[at++] = b;
        }

        return new IPAddress(bytes);
    }

    /// <summary>Reads back the IPv4 address embedded in <paramref name="ipv6"/>, if it lies under this prefix.</summary>
    /// <param name="ipv6">An IPv6 address.</param>
    /// <param name="ipv4">The embedded IPv4 address, when the method returns <see langword="true"/>.</param>
    /// <returns>Whether <paramref name="ipv6"/> starts with this prefix and has zero bits 64-71 (for prefixes shorter than 96).</returns>
    public bool TryExtract([NotNullWhen(true)] IPAddress? ipv6, [NotNullWhen(true)] out IPAddress? ipv4)
    {
        ipv4 = null;
        if (ipv6 is not { AddressFamily: AddressFamily.InterNetworkV6 })
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        ipv6.TryWriteBytes(bytes, out _);
        if (!bytes[..(Length / 8)].SequenceEqual(_bytes.AsSpan(0, Length / 8)) || !TryReadIPv4(bytes, Length, out var embedded))
        {
            return false;
        }

        ipv4 = embedded;
        return true;
    }

    /// <summary>Whether both are the same prefix.</summary>
    public bool Equals(Nat64Prefix? other) => other is not null && Length == other.Length && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Address, Length);

    /// <summary>The prefix as <c>address/length</c>, such as <c>64:ff9b::/96</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{IPLiteral.FormatAddress(Address)}/{Length}");

    // <summary>
    // The prefix whose IPv4 position in <paramref name="ipv6"/> holds <paramref name="ipv4"/>, trying every length, the
    // longest first: the prefix discovery of RFC 7050 section 3 (the IPv4 address being a well-known one).
    // </summary>
    // <remarks>
    // A position counts only if bits 64-71 and every bit after the IPv4 address are zero, as RFC 6052 requires, which
    // tells the positions apart unless the prefix itself happens to hold the IPv4 address's bits.
    // </remarks>
    internal static Nat64Prefix? Find(IPAddress ipv6, IPAddress ipv4)
    {
        if (ipv6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        ipv6.TryWriteBytes(bytes, out _);
        for (int i = s_lengths.Length - 1; i >= 0; i--)
        {
            int length = s_lengths[i];
            if (TryReadIPv4(bytes, length, out var embedded) && embedded.Equals(ipv4))
            {
                var prefix = new byte[16];
                bytes[..(length / 8)].CopyTo(prefix);
                return new Nat64Prefix(new IPAddress(prefix), length);
            }
        }

        return null;
    }

    // The IPv4 address at the position for a prefix of this length, if bits 64-71 and the suffix are zero.
    private static bool TryReadIPv4(ReadOnlySpan<byte> ipv6, int length, [NotNullWhen(true)] out IPAddress? ipv4)
    {
        ipv4 = null;
        Span<byte> v4 = stackalloc byte[4];
        int at = length / 8;
        for (int i = 0; i < 4; i++)
        {
            at += at == 8 ? 1 : 0;
            v4[i] = ipv6[at++];
        }

        if ((length < 96 && ipv6[8] != 0) || ipv6[at..].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        ipv4 = new IPAddress(v4);
        return true;
    }

    private static bool TryParse(string? text, [NotNullWhen(true)] out Nat64Prefix? prefix, [NotNullWhen(false)] out string? error)
    {
        prefix = null;
        int slash = text?.LastIndexOf('/') ?? -1;
        if (text is null || slash < 0)
        {
            error = "it is written address/length, such as 64:ff9b::/96";
            return false;
        }

        string lengthText = text[(slash + 1)..];
        if (!IPAddress.TryParse(text.AsSpan(0, slash), out var address) || address.AddressFamily != AddressFamily.InterNetworkV6 || text.AsSpan(0, slash).Contains('%'))
        {
            error = $"'{text[..slash]}' is not an IPv6 address without a zone";
            return false;
        }

        int index = LiteralParser.IsAsciiDigits(lengthText) && lengthText.Length <= 3
            ? Array.IndexOf(s_lengths, int.Parse(lengthText, CultureInfo.InvariantCulture))
            : -1;
        if (index < 0)
        {
            error = $"the length '{lengthText}' is not one of 32, 40, 48, 56, 64 and 96";
            return false;
        }

        int length = s_lengths[index];
        if (address.GetAddressBytes().AsSpan(length / 8).ContainsAnyExcept((byte)0))
        {
            error = $"it has bits set past its length {length}";
            return false;
        }

        prefix = new Nat64Prefix(address, length);
        error = null;
        return true;
    }
}
