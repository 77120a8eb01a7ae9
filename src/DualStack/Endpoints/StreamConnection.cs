using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// An established byte-stream connection: what a client endpoint's connect and a listener's accept return.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Stream"/> is what to read and write: a <see cref="NetworkStream"/> over a TCP socket, or a
/// TLS stream over one. <see cref="Socket"/> is the socket underneath where there is one, for options such
/// as <see cref="Socket.NoDelay"/>; do not read from it directly while <see cref="Stream"/> is in use.
/// </para>
/// <para>
/// Endpoints are reported as their callers expect to compare them: IPv4 peers of a dual-mode socket
/// appear as IPv4 endpoints (<c>192.0.2.1:80</c>), not as <c>[::ffff:192.0.2.1]:80</c>, and IPv6
/// link-local peers keep their zone in <see cref="IPAddress.ScopeId"/>.
/// </para>
/// Disposing the connection closes the stream and the socket.
/// </remarks>
public sealed class StreamConnection : IAsyncDisposable, IDisposable
{
    /// <summary>Wraps an established stream.</summary>
    /// <param name="stream">The stream to read and write; the connection owns it.</param>
    /// <param name="socket">The socket under the stream, if any; the connection owns it.</param>
    /// <param name="localEndPoint">This side's endpoint, if known.</param>
    /// <param name="remoteEndPoint">The peer's endpoint, if known.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    public StreamConnection(Stream stream, Socket? socket, EndPoint? localEndPoint, EndPoint? remoteEndPoint)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stream = stream;
        Socket = socket;
        LocalEndPoint = Unmap(localEndPoint);
        RemoteEndPoint = Unmap(remoteEndPoint);
    }

    /// <summary>The stream to read from and write to.</summary>
    public Stream Stream { get; }

    /// <summary>The socket under <see cref="Stream"/>, or <see langword="null"/> for connections without one.</summary>
    public Socket? Socket { get; }

    /// <summary>This side's endpoint (IPv4-mapped addresses shown as IPv4).</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>The peer's endpoint (IPv4-mapped addresses shown as IPv4, zones kept).</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// The connection attempts that made this connection, in the order they started: the race's timeline, the
    /// winner included. Empty for connections that were accepted or wrapped rather than raced.
    /// </summary>
    public IReadOnlyList<ConnectionAttempt> Attempts { get; init; } = [];

    /// <summary>Closes the stream and the socket.</summary>
    /// <returns>A task that completes when the stream has been closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        Socket?.Dispose();
    }

    /// <summary>Closes the stream and the socket.</summary>
    public void Dispose()
    {
        Stream.Dispose();
        Socket?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Format(LocalEndPoint)} -> {Format(RemoteEndPoint)}";

    internal static StreamConnection FromConnectedSocket(Socket socket, IReadOnlyList<ConnectionAttempt>? attempts = null) =>
        new(new NetworkStream(socket, ownsSocket: true), socket, socket.LocalEndPoint, socket.RemoteEndPoint) { Attempts = attempts ?? [] };

    private static EndPoint? Unmap(EndPoint? endPoint) =>
        endPoint is IPEndPoint ip ? IPLiteral.Unmap(ip) : endPoint;

    private static string Format(EndPoint? endPoint) => endPoint switch
    {
        null => "?",
        IPEndPoint ip => IPLiteral.FormatEndPoint(ip),
        _ => endPoint.ToString() ?? "?",
    };
}
