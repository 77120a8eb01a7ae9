using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DualStack;

/// <summary>Asynchronous, cancellable equivalents of <c>getaddrinfo</c> and <c>getnameinfo</c>, with a pluggable resolver.</summary>
/// <remarks>
/// <para>
/// Literals never touch the network. Names go to <see cref="AddressInfoHints.Resolver"/>. Answers the resolver
/// already ordered (the system resolver's) keep their order; others are ordered by RFC 6724
/// (<see cref="DestinationAddressSelection"/>). Failures are <see cref="HostResolutionException"/>s with
/// getaddrinfo's codes; bad input (a malformed literal or name) is an <see cref="EndpointFormatException"/>.
/// </para>
/// </remarks>
public static class HostLookup
{
    /// <summary>Resolves a host and a service to endpoints, as <c>getaddrinfo</c> does.</summary>
    /// <param name="host">A name, an address literal (<c>fe80::1%eth0</c>), or <see langword="null"/> for the local wildcard or loopback addresses.</param>
    /// <param name="service">A port number, a service name from <c>/etc/services</c> (<c>http</c>), or <see langword="null"/> for port 0.</param>
    /// <param name="hints">What to return; <see langword="null"/> for the defaults (both families, stream sockets, system resolver).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The results, in connection order; never empty.</returns>
    /// <exception cref="HostResolutionException">The name is unknown, has no address, the service is unknown, or the resolver failed.</exception>
    /// <exception cref="EndpointFormatException">The host is neither a valid literal nor a valid name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<IReadOnlyList<AddressInfo>> GetAddressInfoAsync(
        string? host, string? service, AddressInfoHints? hints = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        hints ??= new AddressInfoHints();
        string label = host ?? service ?? string.Empty;
        if (host is null && service is null)
        {
            throw new HostResolutionException(label, ResolutionError.NoSuchName, "Name or service not known (neither host nor service given)", null);
        }

        if (hints.Family is not (AddressFamily.Unspecified or AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new HostResolutionException(label, ResolutionError.FamilyNotSupported, $"ai_family not supported ({hints.Family})", null);
        }

        SocketType[] socketTypes = hints.SocketType == SocketType.Unknown ? [SocketType.Stream, SocketType.Dgram] : [hints.SocketType];
        var ports = socketTypes.Select(type => (Type: type, Port: ServicePort(label, service, type, hints.Options))).ToList();

        // The port in the endpoints is fixed per socket type below; resolve with the first one.
        var answer = await ResolveHostAsync(host, ports[0].Port, hints, cancellationToken).ConfigureAwait(false);
        if (hints.Options.HasFlag(AddressInfoOptions.SynthesizeNat64) && hints.Family == AddressFamily.Unspecified)
        {
            answer = await Nat64.SynthesizeAsync(answer, hints.Resolver, Nat64.HasIPv4Route, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        var endPoints = answer.EndPoints.Where(e => HostAddresses.Matches(e.Address, hints.Family)).ToList();

        // A DNS64 answer already holds the addresses synthesised from its A records: each is listed once.
        endPoints.RemoveAll(e => e is SynthesizedEndPoint && endPoints.Any(other => other is not SynthesizedEndPoint && other.Equals(e)));
        if (hints.Options.HasFlag(AddressInfoOptions.AddressConfig))
        {
            var configured = ConfiguredFamilies();
            endPoints.RemoveAll(e => !configured.Contains(e.AddressFamily));
        }

        if (endPoints.Count == 0)
        {
            throw HostResolutionException.NoAddresses(label);
        }

        var ordered = answer.IsOrdered ? endPoints : DestinationAddressSelection.Sort(endPoints);
        var results = new List<AddressInfo>(ordered.Count * ports.Count);
        foreach (var endPoint in ordered)
        {
            foreach (var (type, port) in ports)
            {
                string? canonical = results.Count == 0 && hints.Options.HasFlag(AddressInfoOptions.CanonicalName)
                    ? answer.CanonicalName ?? host
                    : null;
                var protocol = type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp;
                results.Add(new AddressInfo(endPoint.AddressFamily, type, protocol, canonical, new IPEndPoint(endPoint.Address, port))
                {
                    SynthesizedFrom = (endPoint as SynthesizedEndPoint)?.IPv4,
                });
            }
        }

        return results;
    }

    /// <summary>Turns an endpoint into a host and a service, as <c>getnameinfo</c> does.</summary>
    /// <param name="endPoint">The endpoint; an IPv6 link-local address keeps its zone in the numeric form.</param>
    /// <param name="options">Numeric or named host and service.</param>
    /// <param name="cancellationToken">Cancels the reverse lookup.</param>
    /// <returns>The host and the service.</returns>
    /// <exception cref="HostResolutionException"><see cref="NameInfoOptions.NameRequired"/> was given and the address has no name.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<NameInfo> GetNameInfoAsync(IPEndPoint endPoint, NameInfoOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        cancellationToken.ThrowIfCancellationRequested();
        string numeric = IPLiteral.FormatAddress(endPoint.Address);
        string host = numeric;
        if (!options.HasFlag(NameInfoOptions.NumericHost))
        {
            string? name = null;
            try
            {
                // A blocking getnameinfo on a thread-pool thread, as SystemResolver's lookups are.
                var entry = await Dns.GetHostEntryAsync(endPoint.Address).WaitAsync(cancellationToken).ConfigureAwait(false);
                name = string.IsNullOrEmpty(entry.HostName) || entry.HostName == numeric ? null : entry.HostName;
            }
            catch (SocketException) when (!options.HasFlag(NameInfoOptions.NameRequired))
            {
            }
            catch (SocketException e)
            {
                throw new HostResolutionException(numeric, ResolutionError.NoSuchName, e.Message, e);
            }

            host = name ?? (options.HasFlag(NameInfoOptions.NameRequired)
                ? throw new HostResolutionException(numeric, ResolutionError.NoSuchName, "the address has no name", null)
                : numeric);
        }

        string protocol = options.HasFlag(NameInfoOptions.Datagram) ? "udp" : "tcp";
        string port = endPoint.Port.ToString(CultureInfo.InvariantCulture);
        string service = options.HasFlag(NameInfoOptions.NumericService) ? port : ServiceNames.GetName(endPoint.Port, protocol) ?? port;
        return new NameInfo(host, service);
    }

    private static int ServicePort(string label, string? service, SocketType socketType, AddressInfoOptions options)
    {
        if (service is null)
        {
            return 0;
        }

        if (LiteralParser.IsAsciiDigits(service))
        {
            return service.Length <= 5 && int.Parse(service, CultureInfo.InvariantCulture) is var port and <= IPEndPoint.MaxPort
                ? port
                : throw new HostResolutionException(label, ResolutionError.BadService, $"port '{service}' is out of range (0-65535)", null);
        }

        if (options.HasFlag(AddressInfoOptions.NumericService))
        {
            throw new HostResolutionException(label, ResolutionError.BadService, $"'{service}' is not a port number", null);
        }

        string protocol = socketType == SocketType.Dgram ? "udp" : "tcp";
        return ServiceNames.TryGetPort(service, protocol, out int named)
            ? named
            : throw new HostResolutionException(label, ResolutionError.BadService, $"Servname not supported for ai_socktype ('{service}' is not a {protocol} service)", null);
    }

    private static async ValueTask<HostAddresses> ResolveHostAsync(string? host, int port, AddressInfoHints hints, CancellationToken cancellationToken)
    {
        if (host is null)
        {
            bool passive = hints.Options.HasFlag(AddressInfoOptions.Passive);
            return new HostAddresses(
                [new IPEndPoint(passive ? IPAddress.IPv6Any : IPAddress.IPv6Loopback, port), new IPEndPoint(passive ? IPAddress.Any : IPAddress.Loopback, port)],
                isOrdered: true,
                canonicalName: null);
        }

        // A literal, in brackets or not (a bad one says what is wrong with it), else a name in its ASCII form.
        string ascii = EndpointArguments.ParseHost(host, out var literal);
        if (literal is not null)
        {
            return HostAddresses.Matches(literal, hints.Family)
                ? HostAddresses.FromLiteral(literal, port, hints.Family)
                : throw new HostResolutionException(host, ResolutionError.FamilyNotSupported, "Address family for hostname not supported", null);
        }

        if (hints.Options.HasFlag(AddressInfoOptions.NumericHost))
        {
            throw new HostResolutionException(host, ResolutionError.NoSuchName, "Name or service not known (a numeric host was required)", null);
        }

        return await hints.Resolver.ResolveAsync(ascii, port, hints.Family, cancellationToken).ConfigureAwait(false);
    }

    // AI_ADDRCONFIG as glibc reads it: a family counts when some interface has a non-loopback address of it.
    private static HashSet<AddressFamily> ConfiguredFamilies() =>
        [.. LocalInterface.GetAll().SelectMany(i => i.Addresses).Where(a => !IPAddress.IsLoopback(a.Address)).Select(a => a.Address.AddressFamily)];
}
