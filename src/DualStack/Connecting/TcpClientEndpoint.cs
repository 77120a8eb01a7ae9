using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>
/// A TCP endpoint at one address: an IPv4 or IPv6 literal (zones included), or a host name resolved to
/// <b>IPv4 only</b>.
/// </summary>
/// <remarks>
/// <para>
/// This is the low-level, single-address endpoint (Twisted's <c>TCP4ClientEndpoint</c>/<c>TCP6ClientEndpoint</c>).
/// Given a host name it asks <see cref="Resolver"/> for IPv4 addresses only and connects to the first;
/// to connect to a name over whichever family works, use <see cref="HostnameEndpoint"/>.
/// </para>
/// <para>
/// Two endpoints are equal when they describe the same connection: host, port, bind endpoint, timeout and the
/// same injected services.
/// </para>
/// </remarks>
public sealed record TcpClientEndpoint : IStreamClientEndpoint
{
    private readonly IPEndPoint? _bindEndPoint;
    private readonly TimeSpan _connectTimeout = ConnectOptions.Default.ConnectTimeout;

    /// <summary>Creates an endpoint for an address literal or a host name.</summary>
    /// <param name="host">An IPv4 or IPv6 literal (<c>192.0.2.1</c>, <c>fe80::1%eth0</c>), or a host name resolved to IPv4 only.</param>
    /// <param name="port">The port, 0-65535.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    /// <exception cref="EndpointFormatException"><paramref name="host"/> is neither a valid literal nor a valid host name.</exception>
    public TcpClientEndpoint(string host, int port)
    {
        Host = EndpointArguments.ParseHost(host, out var address);
        Address = address;
        EndpointArguments.ThrowIfInvalidPort(port, nameof(port));
        Port = port;
    }

    /// <summary>Creates an endpoint for an address.</summary>
    /// <param name="address">The address; an IPv6 address keeps its zone (<see cref="IPAddress.ScopeId"/>).</param>
    /// <param name="port">The port, 0-65535.</param>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public TcpClientEndpoint(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        EndpointArguments.ThrowIfInvalidPort(port, nameof(port));
        Address = address;
        Host = IPLiteral.FormatAddress(address);
        Port = port;
    }

    /// <summary>The host as given: a formatted literal or the ASCII form of a host name.</summary>
    public string Host { get; }

    /// <summary>The address when <see cref="Host"/> is a literal; <see langword="null"/> for a host name.</summary>
    public IPAddress? Address { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The local address and port to bind before connecting, or <see langword="null"/> to let the OS choose.</summary>
    /// <remarks>
    /// Defaults to <see langword="null"/>. Its family must be that of the remote address (IPv4 for a host name);
    /// a zone travels inside the address.
    /// </remarks>
    /// <exception cref="ArgumentException">The family differs from the remote's.</exception>
    public IPEndPoint? BindEndPoint
    {
        get => _bindEndPoint;
        init
        {
            if (value is not null && value.AddressFamily != RemoteFamily)
            {
                throw new ArgumentException(
                    $"bind address {IPLiteral.FormatEndPoint(value)} is {FamilyName(value.AddressFamily)} but {Host} is {FamilyName(RemoteFamily)}; a bind address must be of the remote's family",
                    nameof(BindEndPoint));
            }

            _bindEndPoint = value;
        }
    }

    /// <summary>How long one connect may take before it fails with a <see cref="ConnectException"/>.</summary>
    /// <remarks>Defaults to 30 s, as in Twisted and <see cref="ConnectOptions.ConnectTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> leaves it to the OS.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = EndpointArguments.CheckTimeout(value, nameof(ConnectTimeout));
    }

    /// <summary>Resolves <see cref="Host"/> when it is a name (IPv4 only). Defaults to <see cref="SystemResolver.Instance"/>.</summary>
    public IHostResolver Resolver { get; init; } = SystemResolver.Instance;

    /// <summary>The clock for <see cref="ConnectTimeout"/>. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Whether an IPv4 address this host has no IPv4 route to (on an IPv6-only network) is reached through the network's
    /// NAT64 translator, at the IPv6 address synthesised from the prefix that <see cref="Resolver"/>'s answer for
    /// <c>ipv4only.arpa</c> tells (see <see cref="Nat64"/>).
    /// </summary>
    /// <remarks>Defaults to <see langword="true"/>. Not with a <see cref="BindEndPoint"/>, which fixes the family.</remarks>
    public bool SynthesizeNat64 { get; init; } = true;

    // <summary>Whether this host has an IPv4 route to an address (tests stand in for an IPv6-only host); <see langword="null"/> asks the kernel.</summary>
    internal Func<IPAddress, bool>? HasIPv4Route { get; init; }

    private AddressFamily RemoteFamily => Address?.AddressFamily ?? AddressFamily.InterNetwork;

    /// <inheritdoc />
    public async ValueTask<StreamConnection> ConnectAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IPEndPoint remote;
        if (Address is not null)
        {
            remote = new IPEndPoint(Address, Port);
        }
        else
        {
            var answer = await Resolver.ResolveAsync(Host, Port, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
            remote = answer.EndPoints.Count > 0
                ? answer.EndPoints[0]
                : throw new HostResolutionException(Host, ResolutionError.NoData, "no IPv4 address", null);
        }

        if (SynthesizeNat64 && BindEndPoint is null && remote.AddressFamily == AddressFamily.InterNetwork && !(HasIPv4Route ?? Nat64.HasIPv4Route)(remote.Address))
        {
            remote = await ThroughNat64Async(remote, cancellationToken).ConfigureAwait(false);
        }

        var socket = await SocketConnector.ConnectAsync(remote, BindEndPoint, ConnectTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        return StreamConnection.FromConnectedSocket(socket);
    }

    /// <summary>The endpoint's URI-style description, such as <c>tcp://[fe80::1%eth0]:80</c>.</summary>
    public override string ToString() => EndpointText.Of(this);

    // The address that reaches an IPv4 one this host has no route to: under the network's first NAT64 prefix.
    private async ValueTask<IPEndPoint> ThroughNat64Async(IPEndPoint remote, CancellationToken cancellationToken)
    {
        var answer = await Nat64.SynthesizeAsync(new HostAddresses([remote], isOrdered: true, canonicalName: null), Resolver, static _ => false, TimeProvider, cancellationToken)
            .ConfigureAwait(false);
        var synthesized = answer.EndPoints[0];
        if (synthesized is UnroutableEndPoint unroutable)
        {
            var error = unroutable.CreateError();
            throw new ConnectException(remote, error.Message, error);
        }

        return new IPEndPoint(synthesized.Address, synthesized.Port);
    }

    private static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
