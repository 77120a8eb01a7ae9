using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// A UDP operation failed: a send or receive got an error from the OS (on a connected socket, an ICMP error such as
/// port unreachable), or a multicast join or leave was refused.
/// </summary>
public sealed class UdpException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">What failed: <c>send</c>, <c>receive</c>, <c>connect</c>, <c>join</c> or <c>leave</c>.</param>
    /// <param name="remoteEndPoint">The peer or group involved, if any.</param>
    /// <param name="innerException">The OS's error.</param>
    public UdpException(string operation, IPEndPoint? remoteEndPoint, SocketException innerException)
        : base(BuildMessage(operation, remoteEndPoint, innerException), innerException)
    {
        Operation = operation;
        RemoteEndPoint = remoteEndPoint;
        SocketError = innerException.SocketErrorCode;
    }

    /// <summary>What failed: <c>send</c>, <c>receive</c>, <c>connect</c>, <c>join</c> or <c>leave</c>.</summary>
    public string Operation { get; }

    /// <summary>The peer or group involved, or <see langword="null"/>.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The OS's error code; <see cref="SocketError.ConnectionRefused"/> is an ICMP port unreachable.</summary>
    public SocketError SocketError { get; }

    private static string BuildMessage(string operation, IPEndPoint? remoteEndPoint, SocketException innerException)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(innerException);
        string peer = remoteEndPoint is null ? string.Empty : $" {(operation is "join" or "leave" ? "of" : "with")} {IPLiteral.FormatEndPoint(remoteEndPoint)}";
        return $"UDP {operation}{peer} failed: {Describe(innerException)}";
    }

    // The one place where OS codes become words for UDP; ICMP errors arrive as these codes on connected sockets.
    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        _ when e is NoIPv4RouteException => e.Message,
        SocketError.ConnectionRefused => "port unreachable (ICMP): nothing listens on that port",
        SocketError.HostUnreachable => "host unreachable (ICMP)",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.MessageSize => "the datagram is too large",
        _ => $"{e.Message} ({e.SocketErrorCode})",
    };
}
