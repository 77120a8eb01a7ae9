using System.Net.Sockets;

namespace DualStack;

/// <summary>What <see cref="HostLookup.GetAddressInfoAsync"/> should return, after getaddrinfo's <c>hints</c>.</summary>
public sealed record AddressInfoHints
{
    /// <summary>The family to return.</summary>
    /// <remarks>Defaults to <see cref="AddressFamily.Unspecified"/>: both.</remarks>
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;

    /// <summary>The socket type to return results for.</summary>
    /// <remarks>
    /// Defaults to <see cref="SocketType.Stream"/>. <see cref="SocketType.Unknown"/> returns one result per address
    /// for each of <see cref="SocketType.Stream"/> and <see cref="SocketType.Dgram"/>, as getaddrinfo does for 0
    /// (without the raw entries).
    /// </remarks>
    public SocketType SocketType { get; init; } = SocketType.Stream;

    /// <summary>The <c>AI_*</c> options. Defaults to <see cref="AddressInfoOptions.None"/>.</summary>
    public AddressInfoOptions Options { get; init; }

    /// <summary>The resolver for names. Defaults to <see cref="SystemResolver.Instance"/>.</summary>
    public IHostResolver Resolver { get; init; } = SystemResolver.Instance;
}
