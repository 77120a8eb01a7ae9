using System.Net.Sockets;

namespace DualStack;

// What an accept error means for the accept loop, decided in one place.
//
// accept(2) fails for three kinds of reasons:
// - the connection that was waiting went away, or the network under it is in trouble (ECONNABORTED, ECONNRESET,
//   ETIMEDOUT, and the errors Linux's accept(2) says to treat like EAGAIN and retry: ENETDOWN, EPROTO, ENOPROTOOPT,
//   EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH; also EPERM from a firewall rule): accept again at once;
// - the process or the machine is out of something (EMFILE and ENFILE descriptors, ENOBUFS and ENOMEM memory): the
//   connection stays in the backlog, and accepting again at once would only spin. Pause, then retry; Go's net/http
//   waits 5 ms, doubling up to 1 s, and so do we;
// - the listening socket itself is broken (EBADF, EINVAL, ENOTSOCK, anything else): it will never accept again, so
//   the listener is faulted and AcceptAsync throws instead of waiting for ever.
internal static class AcceptErrors
{
    public static TimeSpan FirstBackOff { get; } = TimeSpan.FromMilliseconds(5);

    public static TimeSpan MaxBackOff { get; } = TimeSpan.FromSeconds(1);

    public static AcceptErrorKind Classify(SocketError error) => error switch
    {
        SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.TimedOut
            or SocketError.NetworkDown or SocketError.NetworkUnreachable or SocketError.HostDown or SocketError.HostUnreachable
            or SocketError.ProtocolNotSupported or SocketError.ProtocolOption or SocketError.OperationNotSupported
            or SocketError.AccessDenied or SocketError.Interrupted or SocketError.WouldBlock => AcceptErrorKind.Retry,
        SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable => AcceptErrorKind.BackOff,
        _ => AcceptErrorKind.Fatal,
    };

    // <summary>The pause after <paramref name="previous"/>: 5 ms first, then doubling, at most 1 s.</summary>
    public static TimeSpan NextBackOff(TimeSpan previous) =>
        previous <= TimeSpan.Zero ? FirstBackOff : previous * 2 > MaxBackOff ? MaxBackOff : previous * 2;
}
