using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DualStack.Tests.Shared.Lab;

/// <summary>
/// Two network namespaces, a client and a server, joined by a veth pair with one IPv6 and one IPv4 address on each
/// side: a private network in which tests can listen, connect, refuse and silently drop with real sockets.
/// </summary>
/// <remarks>
/// <para>
/// Lab <c>n</c> (counted per process) is the namespaces <c>dslab-PID-n-c</c> and <c>dslab-PID-n-s</c>, the veth ends
/// <c>dsl{n}c</c> and <c>dsl{n}s</c> (created directly inside the namespaces, so their names never meet another
/// process's), and the benchmarking prefixes <c>2001:2:0:m::/64</c> (RFC 5180) and <c>198.18.m.0/24</c>
/// (RFC 2544), <c>m</c> = 1-254 from <c>n</c>: client <c>::1</c> and <c>.1</c>, server <c>::2</c> and <c>.2</c>.
/// IPv6 addresses are added <c>nodad</c>, usable at once. The veth ends get fixed MAC addresses and each side a
/// permanent neighbour entry for the other's addresses: on this machine's kernel IPv6 neighbour discovery in the first
/// second after a link comes up loses the first SYN, which would add a 1 s retransmit to early connects. Nothing outside the two namespaces is changed, except
/// <c>/etc/netns/CLIENT/hosts</c> when <see cref="WriteHostsAsync"/> is used.
/// </para>
/// <para>
/// Sockets for the lab must be created through <see cref="Client"/> and <see cref="Server"/>: a socket created on
/// any other thread lives in the root namespace, whose default route leads off the machine. Assert the local address
/// of lab connections (<see cref="ClientIPv6"/>, <see cref="ClientIPv4"/>) to prove where they ran.
/// </para>
/// <para>
/// Needs root and the <c>ip</c> command; see <see cref="UnavailableReason"/>. Creating a lab first deletes namespaces
/// left by lab processes that died (<c>dslab-PID-…</c> with PID gone). Dispose with <c>await using</c>.
/// </para>
/// </remarks>
public sealed class NetworkLab : IAsyncDisposable
{
    /// <summary>The prefix of every namespace (and <c>/etc/netns</c> directory) a lab creates.</summary>
    public const string NamePrefix = "dslab-";

    /// <summary>A MAC address no interface has: neighbour entries pointing at it make packets vanish.</summary>
    public const string BlackholeMac = "02:00:00:00:00:99";

    private static readonly Lazy<string?> s_unavailableReason = new(Probe);

    private readonly int _subnet;
    private readonly List<string> _namespaces = [];
    private readonly object _gate = new();
    // Next host number per family: [0] IPv6, [1] IPv4.
    private readonly int[] _nextServerHost = [10, 10];
    private readonly int[] _nextBlackholedHost = [100, 100];
    private NetworkNamespace? _client;
    private NetworkNamespace? _server;
    private Task? _disposal;

    private NetworkLab(int number)
    {
        Number = number;
        _subnet = ((number - 1) % 254) + 1;
        string baseName = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{Environment.ProcessId}-{number}");
        ClientName = baseName + "-c";
        ServerName = baseName + "-s";
        ClientInterface = string.Create(CultureInfo.InvariantCulture, $"dsl{number}c");
        ServerInterface = string.Create(CultureInfo.InvariantCulture, $"dsl{number}s");
        ClientMac = string.Create(CultureInfo.InvariantCulture, $"02:64:6c:{(number >> 8) & 0xff:x2}:{number & 0xff:x2}:01");
        ServerMac = string.Create(CultureInfo.InvariantCulture, $"02:64:6c:{(number >> 8) & 0xff:x2}:{number & 0xff:x2}:02");
        ClientIPv6 = Address(AddressFamily.InterNetworkV6, 1);
        ServerIPv6 = Address(AddressFamily.InterNetworkV6, 2);
        ClientIPv4 = Address(AddressFamily.InterNetwork, 1);
        ServerIPv4 = Address(AddressFamily.InterNetwork, 2);
        ClientHostsPath = Path.Combine("/etc/netns", ClientName, "hosts");
    }

    /// <summary>Why labs cannot be created here, or <see langword="null"/> when they can. Probed once per process.</summary>
    /// <remarks>
    /// Usable means: Linux, running as root, the <c>ip</c> command present, and a trial namespace that can be added,
    /// entered by a thread (<c>setns</c>) and deleted.
    /// </remarks>
    public static string? UnavailableReason => s_unavailableReason.Value;

    /// <summary>The lab's number in this process, part of every name it uses.</summary>
    public int Number { get; }

    /// <summary>The client namespace: connect from here.</summary>
    public NetworkNamespace Client => _client ?? throw new InvalidOperationException("the lab is not built");

    /// <summary>The server namespace: listen here.</summary>
    public NetworkNamespace Server => _server ?? throw new InvalidOperationException("the lab is not built");

    /// <summary>The client namespace's veth end, such as <c>dsl1c</c> (a zone for link-local addresses there).</summary>
    public string ClientInterface { get; }

    /// <summary>The server namespace's veth end, such as <c>dsl1s</c>.</summary>
    public string ServerInterface { get; }

    /// <summary>The client's IPv6 address, <c>2001:2:0:m::1</c>.</summary>
    public IPAddress ClientIPv6 { get; }

    /// <summary>The client's IPv4 address, <c>198.18.m.1</c>.</summary>
    public IPAddress ClientIPv4 { get; }

    /// <summary>The server's IPv6 address, <c>2001:2:0:m::2</c>.</summary>
    public IPAddress ServerIPv6 { get; }

    /// <summary>The server's IPv4 address, <c>198.18.m.2</c>.</summary>
    public IPAddress ServerIPv4 { get; }

    /// <summary>
    /// Where <see cref="WriteHostsAsync"/> writes: <c>/etc/netns/CLIENT/hosts</c>. <c>ip netns exec</c> shows it as
    /// <c>/etc/hosts</c> to commands it runs; code in this process (its <c>getaddrinfo</c>) still reads the real
    /// <c>/etc/hosts</c>, so give in-process tests a hosts-file resolver reading this path.
    /// </summary>
    public string ClientHostsPath { get; }

    private string ClientName { get; }

    // Locally administered, fixed, so that neighbour entries can be written before the links come up.
    private string ClientMac { get; }

    private string ServerMac { get; }

    private string ServerName { get; }

    /// <summary>Creates a lab and waits until TCP connects from client to server work over both families.</summary>
    /// <exception cref="InvalidOperationException">Labs are unavailable here (<see cref="UnavailableReason"/>), or a step failed.</exception>
    /// <exception cref="TimeoutException">The two sides could not connect within 5 s.</exception>
    public static async Task<NetworkLab> CreateAsync(CancellationToken cancellationToken)
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException($"network lab unavailable: {reason}");
        }

        return await LabNamespaces.CreateAsync(number => new NetworkLab(number), (lab, ct) => lab.BuildAsync(ct), cancellationToken);
    }

    /// <summary>
    /// Adds another address to the server's veth end, in the lab's subnet (<c>::10</c>, <c>.10</c>, then up), with a
    /// permanent neighbour entry for it in the client namespace, as for <see cref="ServerIPv6"/> and <see cref="ServerIPv4"/>.
    /// </summary>
    /// <returns>The new address; nothing listens on it until a test does.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="family"/> is not IPv6 or IPv4.</exception>
    public IPAddress AddServerAddress(AddressFamily family)
    {
        var address = Address(family, NextHost(_nextServerHost, family, 99));
        RunIpSync(["-n", ServerName, "address", "add", $"{address}{PrefixLength(family)}", "dev", ServerInterface, .. NoDad(family)]);
        RunIpSync(["-n", ClientName, "neighbour", "add", address.ToString(), "lladdr", ServerMac, "dev", ClientInterface, "nud", "permanent"]);
        return address;
    }

    /// <summary>
    /// Picks an unused address in the lab's subnet (<c>::100</c>, <c>.100</c>, then up) and makes the client namespace
    /// send its packets to a MAC address nobody has (a permanent neighbour entry): a connect to it sends SYNs that are
    /// never answered, as on a network that silently drops a family.
    /// </summary>
    /// <returns>The black-holed address.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="family"/> is not IPv6 or IPv4.</exception>
    public IPAddress AddBlackholedAddress(AddressFamily family)
    {
        var address = Address(family, NextHost(_nextBlackholedHost, family, 254));
        RunIpSync(["-n", ClientName, "neighbour", "add", address.ToString(), "lladdr", BlackholeMac, "dev", ClientInterface, "nud", "permanent"]);
        return address;
    }

    /// <summary>
    /// Writes <see cref="ClientHostsPath"/>: <c>localhost</c> plus one line per entry. Commands run with
    /// <see cref="ExecAsync"/> in the client namespace see it as <c>/etc/hosts</c>. Deleted with the lab.
    /// </summary>
    public async Task WriteHostsAsync(IEnumerable<(string Name, IPAddress Address)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder("# written by DualStack's NetworkLab\n127.0.0.1 localhost\n::1 localhost\n");
        foreach (var (name, address) in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{address} {name}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(ClientHostsPath)!);
        await File.WriteAllTextAsync(ClientHostsPath, text.ToString(), TestContext.Current.CancellationToken);
    }

    /// <summary>Runs <c>ip netns exec NAME COMMAND…</c> to completion (at most 10 s) and returns what it wrote.</summary>
    /// <param name="ns"><see cref="Client"/> or <see cref="Server"/>.</param>
    /// <param name="command">The program (found on PATH) and its arguments, each passed as is.</param>
    /// <exception cref="ArgumentException"><paramref name="ns"/> is not this lab's, or <paramref name="command"/> is empty.</exception>
    /// <exception cref="TimeoutException">It overran and was killed.</exception>
    public Task<ProcessResult> ExecAsync(NetworkNamespace ns, params string[] command)
    {
        CheckCommand(ns, command);
        return ChildProcess.RunAsync(IpPath, ["netns", "exec", ns.Name, .. command], LabNamespaces.CommandTimeout, TestContext.Current.CancellationToken);
    }

    /// <summary>Starts <c>ip netns exec NAME COMMAND…</c> and returns at once, for peers that run beside the test.</summary>
    /// <param name="ns"><see cref="Client"/> or <see cref="Server"/>.</param>
    /// <param name="command">The program (found on PATH) and its arguments, each passed as is.</param>
    /// <returns>The child; read its output line by line, and dispose it to make sure it is gone.</returns>
    /// <exception cref="ArgumentException"><paramref name="ns"/> is not this lab's, or <paramref name="command"/> is empty.</exception>
    public ChildProcess Start(NetworkNamespace ns, params string[] command)
    {
        CheckCommand(ns, command);
        return ChildProcess.Start(IpPath, ["netns", "exec", ns.Name, .. command]);
    }

    /// <summary>
    /// Replaces the kernel's link-local addresses on the veth ends with fixed ones, usable at once: <c>fe80::1</c> on
    /// the client's end, <c>fe80::2</c> on the server's.
    /// </summary>
    /// <remarks>
    /// The kernel's own link-local addresses come late and stay tentative (unbindable) during duplicate address
    /// detection; these skip it (<c>nodad</c>).
    /// </remarks>
    public async Task SetLinkLocalAddressesAsync()
    {
        foreach (var (ns, device, address) in new[] { (Client, ClientInterface, "fe80::1/64"), (Server, ServerInterface, "fe80::2/64") })
        {
            var flush = await ExecAsync(ns, "ip", "-6", "address", "flush", "dev", device, "scope", "link");
            var add = flush.ExitCode == 0 ? await ExecAsync(ns, "ip", "address", "add", address, "dev", device, "nodad") : flush;
            if (add.ExitCode != 0)
            {
                throw new InvalidOperationException($"setting {address} on {device} failed: {add}");
            }
        }
    }

    /// <summary>
    /// The namespace's TCP sockets as <c>ss -tanH</c> lists them, runs of blanks squeezed to one space:
    /// <c>STATE RECV-Q SEND-Q LOCAL PEER</c>, such as <c>SYN-SENT 0 1 198.18.1.1:41234 198.18.1.100:80</c>.
    /// </summary>
    /// <remarks>IPv6 endpoints are written <c>[addr]:port</c>. Listening sockets and <c>TIME-WAIT</c> entries are included.</remarks>
    /// <exception cref="InvalidOperationException"><c>ss</c> failed.</exception>
    public async Task<IReadOnlyList<string>> TcpSocketsAsync(NetworkNamespace ns)
    {
        var result = await ExecAsync(ns, "ss", "-tanH");
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ss in {ns.Name} failed: {result}");
        }

        return result.StdOutLines
            .Select(line => string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => line.Length > 0)
            .ToList();
    }

    /// <summary>
    /// Stops the namespace threads, deletes both namespaces (which removes the veth pair) and the client's
    /// <c>/etc/netns</c> directory. Safe to call twice; whatever is already gone is skipped.
    /// </summary>
    /// <remarks>
    /// Threads of this process found inside a namespace (see <see cref="NetworkNamespace.FindStrayThreads"/>) are
    /// reported as a test warning: they keep the deleted namespace alive and put the sockets they create in it.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A namespace still exists after <c>ip netns del</c>.</exception>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposal ??= DisposeCoreAsync();
            return new ValueTask(_disposal);
        }
    }

    private void CheckCommand(NetworkNamespace ns, string[] command)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(command);
        if (ns != _client && ns != _server)
        {
            throw new ArgumentException($"network namespace {ns.Name} is not one of lab {Number}'s", nameof(ns));
        }

        if (command.Length == 0)
        {
            throw new ArgumentException("no command given", nameof(command));
        }
    }

    private static string IpPath => LabNamespaces.IpPath;

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        await AddNamespaceAsync(ClientName, cancellationToken);
        await AddNamespaceAsync(ServerName, cancellationToken);
        await LabNamespaces.RunIpAsync(
            ["link", "add", ClientInterface, "address", ClientMac, "netns", ClientName, "type", "veth", "peer", "name", ServerInterface, "address", ServerMac, "netns", ServerName],
            cancellationToken);
        var sides = new[] { (ClientName, ClientInterface, Host: 1, PeerHost: 2, PeerMac: ServerMac), (ServerName, ServerInterface, Host: 2, PeerHost: 1, PeerMac: ClientMac) };
        foreach (var (ns, nic, host, peerHost, peerMac) in sides)
        {
            await LabNamespaces.RunIpAsync(["-n", ns, "link", "set", "lo", "up"], cancellationToken);
            foreach (var family in new[] { AddressFamily.InterNetworkV6, AddressFamily.InterNetwork })
            {
                await LabNamespaces.RunIpAsync(["-n", ns, "address", "add", $"{Address(family, host)}{PrefixLength(family)}", "dev", nic, .. NoDad(family)], cancellationToken);
                await LabNamespaces.RunIpAsync(["-n", ns, "neighbour", "add", Address(family, peerHost).ToString(), "lladdr", peerMac, "dev", nic, "nud", "permanent"], cancellationToken);
            }

            await LabNamespaces.RunIpAsync(["-n", ns, "link", "set", nic, "up"], cancellationToken);
        }

        _client = new NetworkNamespace(ClientName);
        _server = new NetworkNamespace(ServerName);
        await LabNamespaces.WaitUntilConnectableAsync(Client, Server, ServerIPv6, ServerIPv6, ClientIPv6, cancellationToken);
        await LabNamespaces.WaitUntilConnectableAsync(Client, Server, ServerIPv4, ServerIPv4, ClientIPv4, cancellationToken);
    }

    private async Task AddNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        // Registered first, so that neither our stale sweep nor our disposal can miss it.
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
        string[] names;
        lock (_gate)
        {
            names = [.. _namespaces];
        }

        await LabNamespaces.RemoveAsync([_client, _server], names, errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"network lab {Number} was not fully removed: {string.Join("; ", errors)}");
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "not running as root (creating network namespaces needs CAP_SYS_ADMIN)";
        }

        if (LabNamespaces.IpPathOrNull is null)
        {
            return "the ip command (iproute2) is not installed";
        }

        if (!File.Exists("/proc/thread-self/ns/net"))
        {
            return "/proc/thread-self/ns/net does not exist";
        }

        // Off the caller's synchronization context: ChildProcess awaits without ConfigureAwait(false).
        return Task.Run(async () =>
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{Environment.ProcessId}-probe");
            LabNamespaces.Register(name);
            try
            {
                var added = await ChildProcess.RunAsync(IpPath, ["netns", "add", name], LabNamespaces.CommandTimeout, CancellationToken.None);
                if (added.ExitCode != 0)
                {
                    return $"ip netns add failed: {added.StdErr.Trim()}";
                }

                try
                {
                    using var ns = new NetworkNamespace(name);
                    return null;
                }
                catch (InvalidOperationException e)
                {
                    return e.Message;
                }
            }
            catch (Exception e) when (e is TimeoutException or Win32Exception)
            {
                return $"ip netns add failed: {e.Message}";
            }
            finally
            {
                var deleted = new List<string>();
                await LabNamespaces.DeleteNamespaceAsync(name, deleted);
            }
        }).GetAwaiter().GetResult();
    }

    // Off the caller's synchronization context: ChildProcess awaits without ConfigureAwait(false).
    private static void RunIpSync(string[] arguments) =>
        Task.Run(() => LabNamespaces.RunIpAsync(arguments, TestContext.Current.CancellationToken)).GetAwaiter().GetResult();

    private int NextHost(int[] next, AddressFamily family, int last)
    {
        int index = family switch
        {
            AddressFamily.InterNetworkV6 => 0,
            AddressFamily.InterNetwork => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "a lab address is IPv6 or IPv4"),
        };
        lock (_gate)
        {
            return next[index] <= last ? next[index]++ : throw new InvalidOperationException($"lab {Number} has no more addresses of this kind (last host number {last})");
        }
    }

    private static string PrefixLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "/64" : "/24";

    private static string[] NoDad(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? ["nodad"] : [];

    private IPAddress Address(AddressFamily family, int host) => family switch
    {
        // Decimal digits written into the hex groups, so that lab 12's host 10 reads 2001:2:0:12::10 and 198.18.12.10.
        AddressFamily.InterNetworkV6 => IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:2:0:{_subnet}::{host}")),
        AddressFamily.InterNetwork => IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"198.18.{_subnet}.{host}")),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "a lab address is IPv6 or IPv4"),
    };
}
