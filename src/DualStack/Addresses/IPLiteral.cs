using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// Parses and formats IP address literals and endpoints, IPv6 zones included (<c>fe80::1%eth0</c>,
/// <c>[fe80::1%2]:80</c>).
/// </summary>
/// <remarks>
/// <para>
/// A zone given as an interface name is checked against the local interfaces and stored as the
/// address's <see cref="IPAddress.ScopeId"/>, which is what the socket layer carries; formatting turns
/// the index back into the interface's name, so a zone survives a round trip through a socket
/// (<see cref="Socket.RemoteEndPoint"/>) and still reads <c>%eth0</c>. An index that names no
/// interface is formatted as a number.
/// </para>
/// <para>
/// Unlike <see cref="IPAddress.Parse(string)"/>, this rejects short or octal IPv4 forms
/// (<c>1.2.3</c>, <c>010.0.0.1</c>), unknown, empty or doubled zones, and zones on IPv4.
/// </para>
/// </remarks>
public static class IPLiteral
{
    /// <summary>Parses an IPv4 or IPv6 address, with an optional zone after <c>%</c> on IPv6.</summary>
    /// <param name="text">For example <c>192.0.2.1</c>, <c>2001:db8::1</c>, <c>fe80::1%eth0</c> or <c>fe80::1%2</c>.</param>
    /// <returns>The address; its <see cref="IPAddress.ScopeId"/> holds the zone's interface index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The text is not an address, or names an interface that does not exist.</exception>
    public static IPAddress ParseAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var error = LiteralParser.TryParseAddress(text, 0, out var address);
        return error is null ? address! : throw error.Value.ToException(text);
    }

    /// <summary>Tries to parse an address as <see cref="ParseAddress(string)"/> does.</summary>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a valid address.</returns>
    public static bool TryParseAddress([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        return text is not null && LiteralParser.TryParseAddress(text, 0, out address) is null;
    }

    /// <summary>Parses an endpoint written <c>[v6%zone]:port</c> or <c>v4:port</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The text is malformed: unclosed bracket, bad address or zone, port missing or outside 0-65535.</exception>
    public static IPEndPoint ParseEndPoint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var error = LiteralParser.TryParseEndPoint(text, 0, portRequired: true, out var endPoint);
        return error is null ? endPoint! : throw error.Value.ToException(text);
    }

    /// <summary>Tries to parse an endpoint as <see cref="ParseEndPoint(string)"/> does.</summary>
    /// <returns><see langword="true"/> when <paramref name="text"/> is a valid endpoint.</returns>
    public static bool TryParseEndPoint([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        return text is not null && LiteralParser.TryParseEndPoint(text, 0, portRequired: true, out endPoint) is null;
    }

    /// <summary>
    /// Formats an address: IPv4 dotted, IPv6 as RFC 5952 recommends, with the zone as an interface name
    /// where the index names one (<c>fe80::1%eth0</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public static string FormatAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? LiteralParser.FormatIPv6(address, includeZone: true)
            : address.ToString();
    }

    /// <summary>Formats an endpoint: <c>[fe80::1%eth0]:80</c> for IPv6, <c>192.0.2.1:80</c> for IPv4.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is <see langword="null"/>.</exception>
    public static string FormatEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{FormatAddress(endPoint.Address)}]:{endPoint.Port}"
            : $"{FormatAddress(endPoint.Address)}:{endPoint.Port}";
    }

    /// <summary>The zone of an IPv6 address as text: the interface name where one has that index, else the number.</summary>
    /// <returns>The zone, or <see langword="null"/> when the address has none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public static string? FormatZone(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? LiteralParser.FormatZone(address.ScopeId)
            : null;
    }

    /// <summary>Turns an IPv4-mapped IPv6 address (<c>::ffff:192.0.2.1</c>) into the IPv4 address it maps; other addresses are returned as they are.</summary>
    /// <remarks>Dual-mode sockets report IPv4 peers in mapped form; compare and print addresses after this.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public static IPAddress Unmap(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    /// <summary>Turns an endpoint with an IPv4-mapped address into the IPv4 endpoint; other endpoints are returned as they are.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="endPoint"/> is <see langword="null"/>.</exception>
    public static IPEndPoint Unmap(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
    }
}
