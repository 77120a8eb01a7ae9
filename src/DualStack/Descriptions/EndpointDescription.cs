using System.Runtime.CompilerServices;

namespace DualStack;

/// <summary>
/// Parses and formats endpoint descriptions: one string for any endpoint, in URI style (<c>tcp://[::1]:5555</c>)
/// or Twisted style (<c>tcp:5555:interface=\:\:1</c>).
/// </summary>
/// <remarks>
/// <para>
/// The same text can mean a client or a server (<c>tcp://[::1]:5555</c> connects to, or listens on, <c>::1</c>),
/// so the caller says which it wants; <see cref="InferRole(string)"/> guesses for tools that take either.
/// </para>
/// <para>
/// Every endpoint formats back to a description that parses to an equal endpoint, with one exception: a
/// <see cref="HostnameEndpoint"/> whose host is an address literal is described as that address
/// (<c>tcp://[::1]:22</c>), which parses to the <see cref="TcpClientEndpoint"/> for the same address and port, as
/// every description of an address does. Zones are written as interface names where the index has one. Each error
/// is an <see cref="EndpointFormatException"/> that quotes the description and names the offending field and its
/// position. The syntax of each kind is in <c>docs/descriptions.md</c>.
/// </para>
/// </remarks>
public static class EndpointDescription
{
    private static readonly IDescriptionKind[] s_kinds = [TcpDescriptionKind.Instance, TlsDescriptionKind.Instance, UdpDescriptionKind.Instance];

    /// <summary>Parses a description of something to connect to.</summary>
    /// <param name="description">For example <c>tcp://example.com:443</c>, <c>tcp://[fe80::1%eth0]:22</c>, <c>tcp:host=example.com:port=443</c>, <c>tls://example.com:443</c>.</param>
    /// <returns>A <see cref="TcpClientEndpoint"/> for an address, a <see cref="HostnameEndpoint"/> for a host name, a <see cref="TlsClientEndpoint"/> around either for <c>tls</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The description is malformed; the message names the field.</exception>
    public static IStreamClientEndpoint ParseClient(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return Parse<IStreamClientEndpoint>(description, EndpointRole.Client);
    }

    /// <summary>Parses a description of something to listen on.</summary>
    /// <param name="description">For example <c>tcp://*:8080</c>, <c>tcp://eth0:8080</c>, <c>tcp:8080:interface=\:\:1</c>, <c>tcp6:8080</c>, <c>tls://*:443?cert=server.pem&amp;key=server.key</c>.</param>
    /// <returns>The server endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The description is malformed or names an interface that does not exist.</exception>
    public static IStreamServerEndpoint ParseServer(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return Parse<IStreamServerEndpoint>(description, EndpointRole.Server);
    }

    /// <summary>Parses a description of where a UDP socket binds.</summary>
    /// <param name="description">For example <c>udp://*:5353</c>, <c>udp://[fe80::1%eth0]:5353</c>, <c>udp:5353:interface=eth0</c>, <c>udp6:5353</c>.</param>
    /// <returns>The UDP endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The description is malformed, is not <c>udp</c> or <c>udp6</c>, or names an interface that does not exist.</exception>
    public static UdpEndpoint ParseDatagram(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        return Parse<UdpEndpoint>(description, EndpointRole.Datagram);
    }

    /// <summary>Guesses whether a description is meant to connect or to listen.</summary>
    /// <remarks>
    /// Twisted style: a client when it has <c>host=</c>, host and port as two positional fields, or a host name beside
    /// <c>port=</c>; else a server.
    /// <c>udp</c> and <c>udp6</c>: <see cref="EndpointRole.Datagram"/>.
    /// URI style: a server when the host is <c>*</c>, a local interface's name, <c>0.0.0.0</c> or <c>::</c>; else a client.
    /// </remarks>
    /// <param name="description">The description.</param>
    /// <returns>The role the description most likely has.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="description"/> is <see langword="null"/>.</exception>
    /// <exception cref="EndpointFormatException">The description's kind or shape is malformed.</exception>
    public static EndpointRole InferRole(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var parts = DescriptionParts.Split(description);
        return KindOf(parts).InferRole(parts);
    }

    /// <summary>Formats a client endpoint as a description.</summary>
    /// <param name="endpoint">A DualStack client endpoint.</param>
    /// <param name="syntax">The syntax to write.</param>
    /// <returns>
    /// The description; parsing it with <see cref="ParseClient(string)"/> gives an equal endpoint, or, for a
    /// <see cref="HostnameEndpoint"/> whose host is an address literal, the <see cref="TcpClientEndpoint"/> for that address.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The endpoint is not one of DualStack's.</exception>
    public static string Format(IStreamClientEndpoint endpoint, DescriptionSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return FormatAny(endpoint, syntax);
    }

    /// <summary>Formats a server endpoint as a description.</summary>
    /// <param name="endpoint">A DualStack server endpoint.</param>
    /// <param name="syntax">The syntax to write.</param>
    /// <returns>The description; parsing it with <see cref="ParseServer(string)"/> gives an equal endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The endpoint is not one of DualStack's.</exception>
    public static string Format(IStreamServerEndpoint endpoint, DescriptionSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return FormatAny(endpoint, syntax);
    }

    /// <summary>Formats a UDP endpoint as a description.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="syntax">The syntax to write.</param>
    /// <returns>The description; parsing it with <see cref="ParseDatagram(string)"/> gives an equal endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is <see langword="null"/>.</exception>
    public static string Format(UdpEndpoint endpoint, DescriptionSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return FormatAny(endpoint, syntax);
    }

    // Endpoints print themselves (ToString) through EndpointText, which sits below them; the library sets it as it loads.
#pragma warning disable CA2255 // A library's module initializer: it only hands a delegate to a lower layer of the same library.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void DescribeEndpoints() => EndpointText.Register(static endpoint => TryFormat(endpoint, DescriptionSyntax.Uri));

    private static string FormatAny(object endpoint, DescriptionSyntax syntax) =>
        TryFormat(endpoint, syntax) ?? throw new ArgumentException($"{endpoint.GetType().Name} has no description", nameof(endpoint));

    private static string? TryFormat(object endpoint, DescriptionSyntax syntax)
    {
        foreach (var kind in s_kinds)
        {
            if (kind.Format(endpoint, syntax) is { } description)
            {
                return description;
            }
        }

        return null;
    }

    private static T Parse<T>(string description, EndpointRole role)
        where T : class
    {
        var parts = DescriptionParts.Split(description);
        var kind = KindOf(parts);
        if (kind.Roles.Contains(role))
        {
            return (T)kind.Parse(parts, role);
        }

        var names = s_kinds.Where(k => k.Roles.Contains(role)).SelectMany(k => k.Names).ToList();
        string use = names.Count == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
        throw parts.Error("kind", $"'{parts.Kind}' is not a {role.ToString().ToLowerInvariant()} kind; use {use}", 0);
    }

    private static IDescriptionKind KindOf(DescriptionParts parts)
    {
        foreach (var kind in s_kinds)
        {
            if (kind.Names.Contains(parts.Kind))
            {
                return kind;
            }
        }

        var known = s_kinds.SelectMany(k => k.Names);
        throw parts.Error("kind", $"unknown kind '{parts.Kind}'; known kinds: {string.Join(", ", known)}", 0);
    }
}
