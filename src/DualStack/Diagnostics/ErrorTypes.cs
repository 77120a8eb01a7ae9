using System.Net.Sockets;

namespace DualStack.Diagnostics;

// The error.type values of metrics and spans: short, stable, low-cardinality strings (the runtime's
// NameResolutionMetrics uses host_not_found and the like). They are public API, listed in docs/diagnostics.md.
// Anything not listed falls back to the exception's full type name, as OpenTelemetry's conventions ask.
internal static class ErrorTypes
{
    public const string Cancelled = "cancelled";
    public const string Timeout = "timeout";

    public static string Of(Exception? error) => error switch
    {
        null => "_OTHER",
        OperationCanceledException => Cancelled,
        IHasErrorType typed => typed.ErrorType,
        SocketException socket => Of(socket.SocketErrorCode),
        _ => error.GetType().FullName ?? "_OTHER",
    };

    public static string Of(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection_refused",
        SocketError.NetworkUnreachable => "network_unreachable",
        SocketError.HostUnreachable => "host_unreachable",
        SocketError.TimedOut => Timeout,
        SocketError.ConnectionReset => "connection_reset",
        SocketError.ConnectionAborted => "connection_aborted",
        SocketError.AddressNotAvailable => "address_not_available",
        SocketError.AddressAlreadyInUse => "address_in_use",
        SocketError.AccessDenied => "access_denied",
        SocketError.NetworkDown => "network_down",
        SocketError.OperationAborted => Cancelled,
        SocketError.TooManyOpenSockets => "too_many_open_files",
        SocketError.NoBufferSpaceAvailable => "no_buffer_space",
        _ => "socket_error",
    };
}
