using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;

namespace DualStack;

/// <summary>A connection attempt to one address failed: refused, unreachable, timed out, or another socket error.</summary>
public sealed class ConnectException : IOException, IHasErrorType
{
    /// <summary>Creates the exception for a failed connect to <paramref name="remoteEndPoint"/>.</summary>
    /// <param name="remoteEndPoint">The address that was tried.</param>
    /// <param name="reason">What happened, for the message.</param>
    /// <param name="innerException">The cause: usually a <see cref="System.Net.Sockets.SocketException"/> or a <see cref="TimeoutException"/>.</param>
    public ConnectException(IPEndPoint remoteEndPoint, string reason, Exception? innerException)
        : base($"connect to {IPLiteral.FormatEndPoint(remoteEndPoint)} failed: {reason}", innerException)
    {
        ArgumentNullException.ThrowIfNull(remoteEndPoint);
        RemoteEndPoint = remoteEndPoint;
    }

    /// <summary>The address that was tried.</summary>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>The socket error, or <see cref="SocketError.TimedOut"/> for our own timeout.</summary>
    public SocketError SocketError => InnerException switch
    {
        SocketException socketException => socketException.SocketErrorCode,
        TimeoutException => SocketError.TimedOut,
        _ => SocketError.SocketError,
    };

    // <inheritdoc />
    string IHasErrorType.ErrorType => ErrorTypes.Of(SocketError);
}
