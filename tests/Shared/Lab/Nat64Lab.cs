using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DualStack.Tests.Shared.Lab;

/// <summary>
/// Three network namespaces, an IPv6-only client, a NAT64 translator (Debian's <c>tayga</c>) and an IPv4-only server:
/// the client reaches the server's IPv4 address only through an IPv6 address synthesized from it under the lab's NAT64
/// prefix (<see cref="Synthesize(IPAddress)"/>), and can have a DNS server (<see cref="StartDnsAsync"/>) in the translator.
/// </summary>
/// <remarks>
/// <para>
/// Lab <c>n</c> (numbered with <see cref="NetworkLab"/>'s labs, per process) is the namespaces <c>dslab-PID-n-c</c>
/// (client), <c>dslab-PID-n-t</c> (translator) and <c>dslab-PID-n-s</c> (server), and two veth pairs created directly
/// inside them: <c>dsl{n}c</c>–<c>dsl{n}tc</c> and <c>dsl{n}s</c>–<c>dsl{n}ts</c>. Each namespace is private, so the
/// addresses are the same in every lab:
/// </para>
/// <list type="bullet">
/// <item>client: <c>2001:2:64::2/64</c> (<c>nodad</c>), default IPv6 route via the translator's <c>2001:2:64::1</c>;
/// no IPv4 address but <c>127.0.0.1</c> on <c>lo</c> and no IPv4 route, so an IPv4 connect fails at once with
/// "network unreachable". With <c>clientHasIPv4</c> it also has <c>192.0.2.2/24</c> and a default IPv4 route via the
/// translator's <c>192.0.2.1</c>, and reaches the server directly.</item>
/// <item>translator: forwards IPv6 and IPv4; <c>tayga</c> on the TUN device <c>dsl{n}nat64</c>, with IPv4 address
/// <c>192.168.64.1</c>, the dynamic pool <see cref="DynamicPool"/> (<c>192.168.64.0/24</c>) for client addresses, and
/// the prefix <see cref="TranslatorPrefix"/>; routes for the pool and that prefix onto the TUN device;
/// <c>198.51.100.1/24</c> towards the server.</item>
/// <item>server: <c>198.51.100.7/24</c>, default route via <c>198.51.100.1</c>, IPv6 disabled on its veth end.</item>
/// </list>
/// <para>
/// tayga 0.9.2 refuses to translate non-global IPv4 addresses under the well-known prefix <c>64:ff9b::/96</c>, and the
/// lab's server and pool addresses are not global. So for the well-known prefix tayga runs on the network-specific
/// <c>fd00:64:ff9b::/96</c>, and one nftables rule in the translator (<c>ip6 daddr 64:ff9b::/96 dnat ip6 prefix to
/// fd00:64:ff9b::/96</c>, nat prerouting) maps the client's packets onto it; any other prefix is tayga's own. The veth
/// ends have fixed MAC addresses and permanent neighbour entries for each other's addresses, as in <see cref="NetworkLab"/>.
/// </para>
/// <para>
/// Sockets must be created through <see cref="Client"/>, <see cref="Translator"/> and <see cref="Server"/>. Needs root,
/// <c>ip</c>, <c>tayga</c>, <c>nft</c> and <c>/dev/net/tun</c>; see <see cref="UnavailableReason"/>. tayga runs as a
/// child of the test process (<c>-d</c>, in the foreground) and is stopped with the lab. Dispose with <c>await using</c>.
/// </para>
/// </remarks>
public sealed class Nat64Lab : IAsyncDisposable
{
    /// <summary>The well-known NAT64 prefix (RFC 6052), the lab's default.</summary>
    public const string WellKnownPrefix = "64:ff9b::/96";

    /// <summary>The network-specific prefix tayga runs on when the lab's prefix is <see cref="WellKnownPrefix"/>.</summary>
    public const string WellKnownSubstitute = "fd00:64:ff9b::/96";

    private const string TaygaIPv4 = "192.168.64.1";
    private const string ServerSideTranslatorIPv4 = "198.51.100.1";
    private const string ClientSideTranslatorIPv4 = "192.0.2.1";
    private const string NftTable = "dslab_nat64";

    private static readonly int[] s_prefixLengths = [32, 40, 48, 56, 64, 96];
    private static readonly IPNetwork s_clientLink = IPNetwork.Parse("2001:2:64::/64");
    private static readonly TimeSpan s_taygaStartTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_taygaStopTimeout = TimeSpan.FromSeconds(5);
    private static readonly Lazy<string?> s_taygaPath = new(() => LabNamespaces.FindCommand("tayga"));
    private static readonly Lazy<string?> s_nftPath = new(() => LabNamespaces.FindCommand("nft"));
    private static readonly Lazy<string?> s_stdbufPath = new(() => LabNamespaces.FindCommand("stdbuf"));
    private static readonly Lazy<string?> s_unavailableReason = new(Probe);

    private readonly IPNetwork _prefix;
    private readonly IPNetwork _translatorPrefix;
    private readonly List<string> _namespaces = [];
    private readonly object _gate = new();
    private NetworkNamespace? _client;
    private NetworkNamespace? _translator;
    private NetworkNamespace? _server;
    private ChildProcess? _tayga;
    private LoopbackDnsServer? _dns;
    private Task? _disposal;

    private Nat64Lab(int number, IPNetwork prefix, bool clientHasIPv4)
    {
        Number = number;
        _prefix = prefix;
        _translatorPrefix = prefix.Equals(IPNetwork.Parse(WellKnownPrefix)) ? IPNetwork.Parse(WellKnownSubstitute) : prefix;
        string baseName = string.Create(CultureInfo.InvariantCulture, $"{NetworkLab.NamePrefix}{Environment.ProcessId}-{number}");
        ClientName = baseName + "-c";
        TranslatorName = baseName + "-t";
        ServerName = baseName + "-s";
        ClientInterface = Invariant($"dsl{number}c");
        TranslatorClientInterface = Invariant($"dsl{number}tc");
        TranslatorServerInterface = Invariant($"dsl{number}ts");
        ServerInterface = Invariant($"dsl{number}s");
        TunInterface = Invariant($"dsl{number}nat64");
        ClientIPv4 = clientHasIPv4 ? IPAddress.Parse("192.0.2.2") : null;
        TaygaConfigPath = Path.Combine(Path.GetTempPath(), baseName + "-tayga.conf");
    }

    /// <summary>Why NAT64 labs cannot be created here, or <see langword="null"/> when they can. Probed once per process.</summary>
    /// <remarks>
    /// <see cref="NetworkLab.UnavailableReason"/>, or else <c>tayga</c>, <c>nft</c> (Debian's <c>nftables</c>),
    /// <c>stdbuf</c> or <c>/dev/net/tun</c> missing.
    /// </remarks>
    public static string? UnavailableReason => s_unavailableReason.Value;

    /// <summary>The lab's number in this process, part of every name it uses (shared with <see cref="NetworkLab"/>'s).</summary>
    public int Number { get; }

    /// <summary>The IPv6-only client namespace (dual-stack with <c>clientHasIPv4</c>): connect from here.</summary>
    public NetworkNamespace Client => _client ?? throw new InvalidOperationException("the lab is not built");

    /// <summary>The translator namespace, where tayga and the lab's DNS server run.</summary>
    public NetworkNamespace Translator => _translator ?? throw new InvalidOperationException("the lab is not built");

    /// <summary>The IPv4-only server namespace: listen here.</summary>
    public NetworkNamespace Server => _server ?? throw new InvalidOperationException("the lab is not built");

    /// <summary>The lab's NAT64 prefix, as given to <see cref="CreateAsync"/> and normalized, such as <c>64:ff9b::/96</c>.</summary>
    public string Prefix => _prefix.ToString();

    /// <summary>The prefix tayga translates: <see cref="Prefix"/>, or <see cref="WellKnownSubstitute"/> when that is <see cref="WellKnownPrefix"/>.</summary>
    public string TranslatorPrefix => _translatorPrefix.ToString();

    /// <summary>The IPv4 addresses tayga gives IPv6 clients (<c>192.168.64.0/24</c>): the server sees connections from one of them.</summary>
    public IPNetwork DynamicPool { get; } = IPNetwork.Parse("192.168.64.0/24");

    /// <summary>The client's IPv6 address, <c>2001:2:64::2</c>.</summary>
    public IPAddress ClientIPv6 { get; } = IPAddress.Parse("2001:2:64::2");

    /// <summary>The client's IPv4 address, <c>192.0.2.2</c>, when the lab was created with <c>clientHasIPv4</c>; otherwise <see langword="null"/>.</summary>
    public IPAddress? ClientIPv4 { get; }

    /// <summary>The translator's address on the client's link, <c>2001:2:64::1</c>: the client's IPv6 router and DNS server.</summary>
    public IPAddress TranslatorIPv6 { get; } = IPAddress.Parse("2001:2:64::1");

    /// <summary>The server's IPv4 address, <c>198.51.100.7</c>; the server has no other address but loopback.</summary>
    public IPAddress ServerIPv4 { get; } = IPAddress.Parse("198.51.100.7");

    /// <summary>The process id of the lab's tayga, once it runs.</summary>
    public int TaygaProcessId => _tayga?.Id ?? throw new InvalidOperationException("the lab is not built");

    /// <summary>The client's veth end, <c>dsl{n}c</c>.</summary>
    public string ClientInterface { get; }

    /// <summary>The server's veth end, <c>dsl{n}s</c>.</summary>
    public string ServerInterface { get; }

    /// <summary>tayga's TUN device in the translator namespace, <c>dsl{n}nat64</c>.</summary>
    public string TunInterface { get; }

    private string ClientName { get; }

    private string TranslatorName { get; }

    private string ServerName { get; }

    private string TranslatorClientInterface { get; }

    private string TranslatorServerInterface { get; }

    private string TaygaConfigPath { get; }

    private string ClientEtcDirectory => Path.Combine("/etc/netns", ClientName);

    /// <summary>
    /// Creates a lab and waits until a TCP connect from the client to <see cref="ServerIPv4"/>, through its synthesized
    /// IPv6 address, reaches a listener in the server (and, with <paramref name="clientHasIPv4"/>, a direct IPv4 connect).
    /// </summary>
    /// <param name="prefix">
    /// The NAT64 prefix, of a length RFC 6052 allows (32, 40, 48, 56, 64 or 96), with no bits set past its length.
    /// </param>
    /// <param name="clientHasIPv4">Give the client an IPv4 address and route too: a dual-stack client beside NAT64.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not a usable NAT64 prefix.</exception>
    /// <exception cref="InvalidOperationException">Labs are unavailable here (<see cref="UnavailableReason"/>), or a step failed.</exception>
    /// <exception cref="TimeoutException">The client could not connect within 5 s.</exception>
    public static async Task<Nat64Lab> CreateAsync(string prefix = WellKnownPrefix, bool clientHasIPv4 = false, CancellationToken cancellationToken = default)
    {
        var network = ParsePrefix(prefix);
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException($"NAT64 lab unavailable: {reason}");
        }

        return await LabNamespaces.CreateAsync(number => new Nat64Lab(number, network, clientHasIPv4), (lab, ct) => lab.BuildAsync(ct), cancellationToken);
    }

    /// <summary>The IPv6 address of <paramref name="ipv4"/> under <see cref="Prefix"/>, by RFC 6052 (bits 64-71 skipped).</summary>
    /// <exception cref="ArgumentException"><paramref name="ipv4"/> is not an IPv4 address.</exception>
    public IPAddress Synthesize(IPAddress ipv4) => Synthesize(_prefix, ipv4);

    /// <summary>The IPv6 address of <paramref name="ipv4"/> under <paramref name="prefix"/>, by RFC 6052 (bits 64-71 skipped).</summary>
    /// <exception cref="ArgumentException"><paramref name="ipv4"/> is not an IPv4 address, or <paramref name="prefix"/> is not an RFC 6052 prefix.</exception>
    public static IPAddress Synthesize(IPNetwork prefix, IPAddress ipv4)
    {
        ArgumentNullException.ThrowIfNull(ipv4);
        CheckPrefix(prefix, nameof(prefix));
        if (ipv4.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{ipv4} is not an IPv4 address", nameof(ipv4));
        }

        byte[] bytes = prefix.BaseAddress.GetAddressBytes();
        int position = prefix.PrefixLength / 8;
        foreach (byte b in ipv4.GetAddressBytes())
        {
            // Bits 64-71 (the "u" octet) are always zero.
            if (position == 8)
            {
                position++;
            }

            bytes[position++] = b;
        }

        return new IPAddress(bytes);
    }

    /// <summary>
    /// Starts a <see cref="LoopbackDnsServer"/> in the translator on <c>[<see cref="TranslatorIPv6"/>]:53</c> (UDP and
    /// TCP), and writes the client's <c>/etc/netns/CLIENT/resolv.conf</c> (that server, one attempt, 2 s timeout) and
    /// <c>hosts</c> (localhost only): commands run in the client with <see cref="ExecAsync"/> or <see cref="Start"/>
    /// resolve names through it with the system resolver.
    /// </summary>
    /// <returns>The server, empty; add records to it. The lab disposes it too.</returns>
    /// <exception cref="InvalidOperationException">It was started already.</exception>
    public async Task<LoopbackDnsServer> StartDnsAsync()
    {
        lock (_gate)
        {
            if (_dns is not null || _disposal is not null)
            {
                throw new InvalidOperationException(_disposal is null ? "the lab's DNS server is running already" : "the lab is disposed");
            }

            _dns = new LoopbackDnsServer(new IPEndPoint(TranslatorIPv6, 53), Translator.CreateSocket);
        }

        Directory.CreateDirectory(ClientEtcDirectory);
        var cancellationToken = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(
            Path.Combine(ClientEtcDirectory, "resolv.conf"),
            $"# written by DualStack's Nat64Lab\nnameserver {TranslatorIPv6}\noptions attempts:1 timeout:2\n",
            cancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(ClientEtcDirectory, "hosts"),
            "# written by DualStack's Nat64Lab\n127.0.0.1 localhost\n::1 localhost\n",
            cancellationToken);
        return _dns;
    }

    /// <summary>Runs <c>ip netns exec NAME COMMAND…</c> to completion (at most 10 s) and returns what it wrote.</summary>
    /// <param name="ns"><see cref="Client"/>, <see cref="Translator"/> or <see cref="Server"/>.</param>
    /// <param name="command">The program (found on PATH) and its arguments, each passed as is.</param>
    /// <exception cref="ArgumentException"><paramref name="ns"/> is not this lab's, or <paramref name="command"/> is empty.</exception>
    /// <exception cref="TimeoutException">It overran and was killed.</exception>
    public Task<ProcessResult> ExecAsync(NetworkNamespace ns, params string[] command)
    {
        CheckCommand(ns, command);
        return ChildProcess.RunAsync(LabNamespaces.IpPath, ["netns", "exec", ns.Name, .. command], LabNamespaces.CommandTimeout, TestContext.Current.CancellationToken);
    }

    /// <summary>Starts <c>ip netns exec NAME COMMAND…</c> and returns at once, for peers that run beside the test.</summary>
    /// <param name="ns"><see cref="Client"/>, <see cref="Translator"/> or <see cref="Server"/>.</param>
    /// <param name="command">The program (found on PATH) and its arguments, each passed as is.</param>
    /// <returns>The child; read its output line by line, and dispose it to make sure it is gone.</returns>
    /// <exception cref="ArgumentException"><paramref name="ns"/> is not this lab's, or <paramref name="command"/> is empty.</exception>
    public ChildProcess Start(NetworkNamespace ns, params string[] command)
    {
        CheckCommand(ns, command);
        return ChildProcess.Start(LabNamespaces.IpPath, ["netns", "exec", ns.Name, .. command]);
    }

    /// <summary>
    /// Stops the DNS server and tayga (SIGTERM), the namespace threads, deletes the three namespaces (which removes
    /// the veth pairs and the TUN device) and the <c>/etc/netns</c> directories. Safe to call twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">A namespace or tayga is still there afterwards.</exception>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposal ??= DisposeCoreAsync();
            return new ValueTask(_disposal);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static IPNetwork ParsePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        int slash = prefix.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPNetwork.TryParse(prefix, out var network) || !IPAddress.TryParse(prefix.AsSpan(0, slash), out var address))
        {
            throw new ArgumentException($"'{prefix}' is not an IPv6 prefix such as 64:ff9b::/96", nameof(prefix));
        }

        if (!address.Equals(network.BaseAddress))
        {
            throw new ArgumentException($"'{prefix}' has bits set past its length (did you mean {network}?)", nameof(prefix));
        }

        CheckPrefix(network, nameof(prefix));
        if (network.Contains(s_clientLink.BaseAddress) || s_clientLink.Contains(network.BaseAddress))
        {
            throw new ArgumentException($"'{prefix}' overlaps the lab's client link {s_clientLink}", nameof(prefix));
        }

        return network;
    }

    private static void CheckPrefix(IPNetwork prefix, string parameterName)
    {
        if (prefix.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6 || !s_prefixLengths.Contains(prefix.PrefixLength))
        {
            throw new ArgumentException($"{prefix} is not a NAT64 prefix: RFC 6052 allows IPv6 prefixes of length 32, 40, 48, 56, 64 and 96", parameterName);
        }

        if (prefix.PrefixLength == 96 && prefix.BaseAddress.GetAddressBytes()[8] != 0)
        {
            throw new ArgumentException($"{prefix} sets bits 64-71, which RFC 6052 reserves (zero)", parameterName);
        }
    }

    private void CheckCommand(NetworkNamespace ns, string[] command)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(command);
        if (ns != _client && ns != _translator && ns != _server)
        {
            throw new ArgumentException($"network namespace {ns.Name} is not one of NAT64 lab {Number}'s", nameof(ns));
        }

        if (command.Length == 0)
        {
            throw new ArgumentException("no command given", nameof(command));
        }
    }

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        foreach (string name in new[] { ClientName, TranslatorName, ServerName })
        {
            await AddNamespaceAsync(name, cancellationToken);
        }

        _client = new NetworkNamespace(ClientName);
        _translator = new NetworkNamespace(TranslatorName);
        _server = new NetworkNamespace(ServerName);

        string clientMac = Mac(1), translatorClientMac = Mac(2), translatorServerMac = Mac(3), serverMac = Mac(4);
        await Ip(["link", "add", ClientInterface, "address", clientMac, "netns", ClientName, "type", "veth", "peer", "name", TranslatorClientInterface, "address", translatorClientMac, "netns", TranslatorName]);
        await Ip(["link", "add", ServerInterface, "address", serverMac, "netns", ServerName, "type", "veth", "peer", "name", TranslatorServerInterface, "address", translatorServerMac, "netns", TranslatorName]);
        foreach (string name in new[] { ClientName, TranslatorName, ServerName })
        {
            await Ip(["-n", name, "link", "set", "lo", "up"]);
        }

        // Written by a thread inside each namespace: /proc/sys/net shows the namespace of the thread that opens it.
        Server.Run(() => File.WriteAllText($"/proc/sys/net/ipv6/conf/{ServerInterface}/disable_ipv6", "1"));
        Translator.Run(() =>
        {
            File.WriteAllText("/proc/sys/net/ipv6/conf/all/forwarding", "1");
            // tayga hands translated packets to the kernel, which forwards them to the server: IPv4 forwarding either way.
            File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1");
        });

        // Client link: IPv6 (and IPv4 for a dual-stack client).
        await Ip(["-n", ClientName, "address", "add", $"{ClientIPv6}/64", "dev", ClientInterface, "nodad"]);
        await Ip(["-n", TranslatorName, "address", "add", $"{TranslatorIPv6}/64", "dev", TranslatorClientInterface, "nodad"]);
        await Ip(["-n", ClientName, "neighbour", "add", TranslatorIPv6.ToString(), "lladdr", translatorClientMac, "dev", ClientInterface, "nud", "permanent"]);
        await Ip(["-n", TranslatorName, "neighbour", "add", ClientIPv6.ToString(), "lladdr", clientMac, "dev", TranslatorClientInterface, "nud", "permanent"]);
        if (ClientIPv4 is not null)
        {
            await Ip(["-n", ClientName, "address", "add", $"{ClientIPv4}/24", "dev", ClientInterface]);
            await Ip(["-n", TranslatorName, "address", "add", $"{ClientSideTranslatorIPv4}/24", "dev", TranslatorClientInterface]);
            await Ip(["-n", ClientName, "neighbour", "add", ClientSideTranslatorIPv4, "lladdr", translatorClientMac, "dev", ClientInterface, "nud", "permanent"]);
            await Ip(["-n", TranslatorName, "neighbour", "add", ClientIPv4.ToString(), "lladdr", clientMac, "dev", TranslatorClientInterface, "nud", "permanent"]);
        }

        // Server link: IPv4 only.
        await Ip(["-n", ServerName, "address", "add", $"{ServerIPv4}/24", "dev", ServerInterface]);
        await Ip(["-n", TranslatorName, "address", "add", $"{ServerSideTranslatorIPv4}/24", "dev", TranslatorServerInterface]);
        await Ip(["-n", ServerName, "neighbour", "add", ServerSideTranslatorIPv4, "lladdr", translatorServerMac, "dev", ServerInterface, "nud", "permanent"]);
        await Ip(["-n", TranslatorName, "neighbour", "add", ServerIPv4.ToString(), "lladdr", serverMac, "dev", TranslatorServerInterface, "nud", "permanent"]);

        foreach (var (name, device) in new[] { (ClientName, ClientInterface), (TranslatorName, TranslatorClientInterface), (TranslatorName, TranslatorServerInterface), (ServerName, ServerInterface) })
        {
            await Ip(["-n", name, "link", "set", device, "up"]);
        }

        await Ip(["-n", ClientName, "-6", "route", "add", "default", "via", TranslatorIPv6.ToString()]);
        if (ClientIPv4 is not null)
        {
            await Ip(["-n", ClientName, "-4", "route", "add", "default", "via", ClientSideTranslatorIPv4]);
        }

        await Ip(["-n", ServerName, "-4", "route", "add", "default", "via", ServerSideTranslatorIPv4]);
        await StartTaygaAsync(cancellationToken);
        if (!_translatorPrefix.Equals(_prefix))
        {
            await RunInTranslatorAsync(
                [s_nftPath.Value!, $"add table ip6 {NftTable}; add chain ip6 {NftTable} prerouting {{ type nat hook prerouting priority -100; }}; add rule ip6 {NftTable} prerouting ip6 daddr {_prefix} dnat ip6 prefix to {_translatorPrefix}"],
                cancellationToken);
        }

        await LabNamespaces.WaitUntilConnectableAsync(Client, Server, ServerIPv4, Synthesize(ServerIPv4), ClientIPv6, cancellationToken);
        if (ClientIPv4 is not null)
        {
            await LabNamespaces.WaitUntilConnectableAsync(Client, Server, ServerIPv4, ServerIPv4, ClientIPv4, cancellationToken);
        }

        Task<ProcessResult> Ip(string[] arguments) => LabNamespaces.RunIpAsync(arguments, cancellationToken);
    }

    // tayga --mktun makes the TUN device, so that it can be configured before tayga runs; then tayga runs in the
    // foreground (-d: debug messages, one per new pool mapping) with its output line-buffered (stdbuf), until its
    // startup lines show it has read its configuration, which is then deleted.
    private async Task StartTaygaAsync(CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(
            TaygaConfigPath,
            $"# written by DualStack's Nat64Lab\ntun-device {TunInterface}\nipv4-addr {TaygaIPv4}\nprefix {_translatorPrefix}\ndynamic-pool {DynamicPool}\n",
            cancellationToken);
        try
        {
            await RunInTranslatorAsync([s_taygaPath.Value!, "--config", TaygaConfigPath, "--mktun"], cancellationToken);
            await LabNamespaces.RunIpAsync(["-n", TranslatorName, "link", "set", TunInterface, "up"], cancellationToken);
            await LabNamespaces.RunIpAsync(["-n", TranslatorName, "-4", "route", "add", DynamicPool.ToString(), "dev", TunInterface], cancellationToken);
            await LabNamespaces.RunIpAsync(["-n", TranslatorName, "-6", "route", "add", _translatorPrefix.ToString(), "dev", TunInterface], cancellationToken);
            var tayga = ChildProcess.Start(LabNamespaces.IpPath, ["netns", "exec", TranslatorName, s_stdbufPath.Value!, "-oL", s_taygaPath.Value!, "--config", TaygaConfigPath, "-d"]);
            lock (_gate)
            {
                _tayga = tayga;
            }

            while (true)
            {
                // "starting TAYGA 0.9.2", "Using tun device …", "TAYGA's IPv4 address: …", …, "Dynamic pool: …".
                string? line = await tayga.ReadLineAsync(s_taygaStartTimeout, cancellationToken);
                if (line is null)
                {
                    var result = await tayga.WaitForExitAsync(s_taygaStopTimeout, cancellationToken);
                    throw new InvalidOperationException($"tayga exited at startup: {result}");
                }

                if (line.StartsWith("Dynamic pool:", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            File.Delete(TaygaConfigPath);
        }
    }

    private async Task RunInTranslatorAsync(string[] command, CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync(LabNamespaces.IpPath, ["netns", "exec", TranslatorName, .. command], LabNamespaces.CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} in {TranslatorName} failed: {result}");
        }
    }

    private async Task AddNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        // Registered first, so that neither a stale sweep nor our disposal can miss it.
        LabNamespaces.Register(name);
        lock (_gate)
        {
            _namespaces.Add(name);
        }

        await LabNamespaces.RunIpAsync(["netns", "add", name], cancellationToken);
    }

    private async Task DisposeCoreAsync()
    {
        var errors = new List<string>();
        LoopbackDnsServer? dns;
        ChildProcess? tayga;
        lock (_gate)
        {
            dns = _dns;
            tayga = _tayga;
        }

        if (dns is not null)
        {
            try
            {
                await dns.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add($"the DNS server failed: {e.Message}");
            }
        }

        if (tayga is not null)
        {
            int pid = tayga.Id;
            try
            {
                await tayga.StopAsync(PosixSignal.SIGTERM, s_taygaStopTimeout, CancellationToken.None);
            }
            catch (TimeoutException e)
            {
                errors.Add(e.Message);
            }

            await tayga.DisposeAsync();
            if (Directory.Exists(Invariant($"/proc/{pid}")))
            {
                errors.Add(Invariant($"tayga (pid {pid}) is still running"));
            }
        }

        string[] names;
        lock (_gate)
        {
            names = [.. _namespaces];
        }

        await LabNamespaces.RemoveAsync([_client, _translator, _server], names, errors);

        try
        {
            File.Delete(TaygaConfigPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"delete {TaygaConfigPath}: {e.Message}");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"NAT64 lab {Number} was not fully removed: {string.Join("; ", errors)}");
        }
    }

    // Locally administered, fixed, so that neighbour entries can be written before the links come up.
    private string Mac(int end) => Invariant($"02:36:34:{(Number >> 8) & 0xff:x2}:{Number & 0xff:x2}:{end:x2}");

    private static string? Probe()
    {
        if (NetworkLab.UnavailableReason is { } reason)
        {
            return reason;
        }

        if (s_taygaPath.Value is null)
        {
            return "tayga is not installed (Debian package tayga)";
        }

        if (s_nftPath.Value is null)
        {
            return "the nft command is not installed (Debian package nftables)";
        }

        if (s_stdbufPath.Value is null)
        {
            return "the stdbuf command (coreutils) is not installed";
        }

        return File.Exists("/dev/net/tun") ? null : "/dev/net/tun does not exist (tayga needs a TUN device)";
    }
}
