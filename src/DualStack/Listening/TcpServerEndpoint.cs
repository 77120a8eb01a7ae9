using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using DualStack.Diagnostics;
using DualStack.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack;

/// <summary>
/// A TCP endpoint to listen on: one address, every interface and family, or every address of one interface.
/// </summary>
/// <remarks>
/// <para>
/// <c>new TcpServerEndpoint(port)</c> listens on <c>0.0.0.0</c>, IPv4 only, as Twisted's <c>TCP4ServerEndpoint</c>
/// does; <c>new TcpServerEndpoint(IPAddress.IPv6Any, port)</c> on <c>::</c>, IPv6 only.
/// <see cref="AllInterfaces(int)"/> (<c>*</c>) covers both families, <see cref="ForInterface(string, int)"/>
/// every address of one interface.
/// </para>
/// <para>
/// Port 0 gives one OS-chosen port, the same on every socket. Listening sockets get the OS's default address
/// reuse (.NET sets <c>SO_REUSEADDR</c> on Unix so that connections in <c>TIME_WAIT</c> do not block a restart);
/// <c>SO_REUSEPORT</c> is never set, so two listeners cannot silently share a port.
/// </para>
/// </remarks>
public sealed record TcpServerEndpoint : IStreamServerEndpoint
{
    private readonly int _backlog = DefaultBacklog;

    /// <summary>Listens on <c>0.0.0.0</c> (every IPv4 address) at <paramref name="port"/>.</summary>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public TcpServerEndpoint(int port)
        : this(ListenScope.Address, IPAddress.Any, null, port)
    {
    }

    /// <summary>Listens on exactly <paramref name="address"/>; <see cref="IPAddress.IPv6Any"/> is IPv6 only.</summary>
    /// <param name="address">The local address; an IPv6 link-local address needs its zone.</param>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public TcpServerEndpoint(IPAddress address, int port)
        : this(ListenScope.Address, address ?? throw new ArgumentNullException(nameof(address)), null, port)
    {
    }

    private TcpServerEndpoint(ListenScope scope, IPAddress? address, string? interfaceName, int port)
    {
        EndpointArguments.ThrowIfInvalidPort(port, nameof(port));
        Scope = scope;
        Address = address;
        InterfaceName = interfaceName;
        Port = port;
    }

    /// <summary>The listen backlog used unless <see cref="Backlog"/> is set: 512, as in Kestrel.</summary>
    public const int DefaultBacklog = 512;

    /// <summary>Which local addresses are bound.</summary>
    public ListenScope Scope { get; }

    /// <summary>The address, for <see cref="ListenScope.Address"/>; otherwise <see langword="null"/>.</summary>
    public IPAddress? Address { get; }

    /// <summary>The interface's name, for <see cref="ListenScope.Interface"/>; otherwise <see langword="null"/>.</summary>
    public string? InterfaceName { get; }

    /// <summary>The port; 0 lets the OS choose one port for every socket.</summary>
    public int Port { get; }

    /// <summary>The length of each socket's queue of connections not yet accepted.</summary>
    /// <remarks>Defaults to <see cref="DefaultBacklog"/> (512). The OS may cap it (Linux: <c>net.core.somaxconn</c>).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Backlog
    {
        get => _backlog;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Backlog));
            _backlog = value;
        }
    }

    /// <summary>Where listener events (accept errors) are logged. Defaults to <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where the meter named <c>DualStack</c> comes from: the <c>dualstack.listener.accepts</c> counter (see <c>docs/diagnostics.md</c>).</summary>
    /// <remarks>Defaults to <see langword="null"/>: the shared static meter named <c>DualStack</c>.</remarks>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Listens on every interface and family (<c>*</c>).</summary>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public static TcpServerEndpoint AllInterfaces(int port) => new(ListenScope.AllInterfaces, null, null, port);

    /// <summary>Listens on every interface with one wildcard socket per family, the same port on both.</summary>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public static TcpServerEndpoint AllInterfacesPerFamily(int port) => new(ListenScope.AllInterfacesPerFamily, null, null, port);

    /// <summary>Listens on every address of the interface <paramref name="name"/>, both families, link-local ones with their zone.</summary>
    /// <param name="name">The interface's name, such as <c>eth0</c> or <c>lo</c>; it must exist when listening starts.</param>
    /// <param name="port">The port, 0-65535; 0 lets the OS choose.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> cannot be an interface name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 0-65535.</exception>
    public static TcpServerEndpoint ForInterface(string name, int port)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!InterfaceNames.IsPlausibleName(name))
        {
            throw new ArgumentException($"'{name}' is not an interface name", nameof(name));
        }

        return new(ListenScope.Interface, null, name, port);
    }

    /// <inheritdoc />
    public ValueTask<IStreamListener> ListenAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var logger = LoggerFactory.CreateLogger<TcpServerEndpoint>();
        var listener = SocketListener.Bind(PlanSockets(), Port, Backlog, ToString(), logger, DualStackMetrics.For(MeterFactory), TimeProvider.System);
        return ValueTask.FromResult<IStreamListener>(listener);
    }

    /// <summary>The endpoint's URI-style description, such as <c>tcp://*:8080</c>.</summary>
    public override string ToString() => EndpointText.Of(this);

    /// <summary>The local endpoints <see cref="ListenAsync"/> would bind now, without binding anything.</summary>
    /// <returns>
    /// Every interface: one dual-mode <c>[::]</c> socket where the OS allows it, else <c>[::]</c> and <c>0.0.0.0</c> (only
    /// <c>0.0.0.0</c> without IPv6); an interface: each of its addresses at this moment; an address: that address.
    /// The port is <see cref="Port"/>, 0 included.
    /// </returns>
    /// <exception cref="ListenException">The interface does not exist, or has no addresses.</exception>
    public IReadOnlyList<IPEndPoint> GetBindEndPoints() => [.. PlanSockets().Select(p => new IPEndPoint(p.Address, Port))];

    private List<SocketListener.Plan> PlanSockets()
    {
        switch (Scope)
        {
            case ListenScope.Address:
                return [new(Address!, DualMode: false)];
            case ListenScope.AllInterfaces when DualMode.IsSupported:
                return [new(IPAddress.IPv6Any, DualMode: true)];
            case ListenScope.AllInterfaces or ListenScope.AllInterfacesPerFamily:
                // No IPv6 at all: IPv4 alone, as Kestrel's AnyIPListenOptions falls back to 0.0.0.0.
                return Socket.OSSupportsIPv6
                    ? [new(IPAddress.IPv6Any, DualMode: false), new(IPAddress.Any, DualMode: false)]
                    : [new(IPAddress.Any, DualMode: false)];
            default:
                var nic = LocalInterface.Find(InterfaceName!)
                    ?? throw new ListenException(ToString(), [], $"no interface named '{InterfaceName}'");
                var plan = nic.Addresses.Select(a => new SocketListener.Plan(a.Address, DualMode: false)).ToList();
                return plan.Count > 0
                    ? plan
                    : throw new ListenException(ToString(), [], $"interface '{InterfaceName}' has no addresses");
        }
    }
}
