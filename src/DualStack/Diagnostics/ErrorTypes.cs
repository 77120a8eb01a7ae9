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
        HostResolutionException resolution => Of(resolution.Error),
        ConnectionRaceException { TimedOut: true } => Timeout,
        ConnectionRaceException race => race.Attempts.LastOrDefault(a => a.Outcome == AttemptOutcome.Failed)?.Error is { } last ? Of(last) : "no_address",
        ConnectException connect => Of(connect.SocketError),
        SocketException socket => Of(socket.SocketErrorCode),
        TlsHandshakeException => "tls_handshake_failed",
        _ => error.GetType().FullName ?? "_OTHER",
    };

    public static string Of(ResolutionError error) => error switch
    {
        ResolutionError.NoSuchName => "host_not_found",
        ResolutionError.TryAgain => "try_again",
        ResolutionError.NoData => "no_data",
        ResolutionError.FamilyNotSupported => "family_not_supported",
        ResolutionError.BadService => "bad_service",
        ResolutionError.Timeout => Timeout,
        _ => "resolution_failed",
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
