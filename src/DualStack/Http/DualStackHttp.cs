using System.Net.Sockets;

namespace DualStack;

// HttpClient's connect through a HostnameEndpoint. SocketsHttpHandler calls ConnectCallback once per new pooled
// connection with the request's host and port (a DnsEndPoint) and wants a connected Stream back; TLS, proxies' CONNECT
// tunnels and HTTP/2 framing all happen above it, so a Happy Eyeballs connect slots in without the handler noticing.
//
// Why a Func<HostnameEndpoint, HostnameEndpoint> to configure: the endpoint is an immutable record, so `e => e with
// { AttemptDelay = …, History = … }` sets any of its options in one expression and keeps the host and port the
// handler asked for. Rejected: a separate options type that copies every HostnameEndpoint property (two lists to keep
// in step), and a HostnameEndpoint template (it would need a host, which only the request knows).

/// <summary>Connects <see cref="HttpClient"/> by name over whichever address family works first.</summary>
/// <remarks>
/// <para>
/// <c>new HttpClient(new SocketsHttpHandler().UseDualStack())</c> makes every new connection of the client a
/// <see cref="HostnameEndpoint"/> connect: both families resolved separately, attempts raced 250 ms apart, the first
/// to connect kept. Plain <see cref="SocketsHttpHandler"/> tries the addresses one after another, so a host whose IPv6
/// address silently drops packets costs a full TCP connect timeout per request that needs a new connection.
/// </para>
/// <para>
/// With IHttpClientFactory, use <c>UseDualStack()</c> on the client builder from the <c>DualStack.Net.Extensions</c>
/// package (see <c>docs/http.md</c>).
/// </para>
/// </remarks>
public static class DualStackHttp
{
    /// <summary>Makes <paramref name="handler"/> open its connections with a <see cref="HostnameEndpoint"/>.</summary>
    /// <param name="handler">The handler; its <see cref="SocketsHttpHandler.ConnectCallback"/> is replaced.</param>
    /// <param name="configure">
    /// Turns the endpoint made for each connection's host and port into the one to connect with, such as
    /// <c>e =&gt; e with { AttemptDelay = TimeSpan.FromMilliseconds(100) }</c>.
    /// <see langword="null"/> for the endpoint's defaults and the handler's own history.
    /// </param>
    /// <returns><paramref name="handler"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    public static SocketsHttpHandler UseDualStack(this SocketsHttpHandler handler, Func<HostnameEndpoint, HostnameEndpoint>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.ConnectCallback = CreateConnectCallback(configure);
        return handler;
    }

    /// <summary>Makes a <see cref="SocketsHttpHandler.ConnectCallback"/> that connects with a <see cref="HostnameEndpoint"/>.</summary>
    /// <param name="configure">Turns the endpoint made for each connection's host and port into the one to connect with; <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The callback. Its connections share one <see cref="ConnectionHistory"/> (it is the endpoint's
    /// <see cref="HostnameEndpoint.History"/> that <paramref name="configure"/> receives): once IPv4 won against an IPv6
    /// address that does not answer, the next new connection to that host starts with IPv4 instead of waiting an attempt
    /// delay again. <c>e =&gt; e with { History = null }</c> turns that off; <c>History = shared</c> shares one history
    /// between handlers. The callback connects to the request's host and port (an IPv6 literal URL host such as
    /// <c>[fe80::1%25eth0]</c> is unbracketed and its zone decoded), sets <see cref="Socket.NoDelay"/> as the handler's own
    /// connect does, and returns the connection's stream, which owns the socket. The handler reports its failures
    /// (<see cref="ConnectionRaceException"/>, <see cref="HostResolutionException"/>) as the inner exception of an
    /// <see cref="HttpRequestException"/>; cancellation ends the race and closes every socket it opened.
    /// </returns>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CreateConnectCallback(Func<HostnameEndpoint, HostnameEndpoint>? configure = null)
    {
        // One history per callback, so per handler: RFC 8305 section 4 lets a client remember which family won.
        var history = new ConnectionHistory();
        return async (context, cancellationToken) =>
        {
            ArgumentNullException.ThrowIfNull(context);
            var endpoint = new HostnameEndpoint(UrlHost(context.DnsEndPoint.Host), context.DnsEndPoint.Port) { History = history };
            if (configure is not null)
            {
                endpoint = configure(endpoint);
            }

            var connection = await endpoint.ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (connection.Socket is { } socket)
            {
                socket.NoDelay = true;
            }

            return connection.Stream;
        };
    }

    // <summary>The host of a URL as a name or a literal: <c>[fe80::1%25eth0]</c> becomes <c>fe80::1%eth0</c>.</summary>
    internal static string UrlHost(string host)
    {
        if (host.Length < 2 || host[0] != '[' || host[^1] != ']')
        {
            return host;
        }

        string literal = host[1..^1];
        return literal.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(literal) : literal;
    }
}
