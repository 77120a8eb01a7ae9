using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Shared.Lab;

/// <summary>
/// What every lab topology (<see cref="NetworkLab"/>, <c>Nat64Lab</c>) shares: the per-process lab counter, the
/// set of namespaces this process made, the sweep of namespaces left by dead lab processes, the <c>ip</c> command, and
/// the "can the client connect yet" wait.
/// </summary>
/// <remarks>
/// One counter and one set for all topologies: the stale sweep deletes <c>dslab-OURPID-…</c> names that are not in the
/// set, so a lab of one kind must never be swept by the creation of a lab of another kind.
/// </remarks>
internal static class LabNamespaces
{
    /// <summary>How long one <c>ip</c> (or similar) command may take.</summary>
    internal static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_readyAttemptTimeout = TimeSpan.FromSeconds(1);
    private static readonly Lazy<string?> s_ipPath = new(() => FindCommand("ip"));

    // Namespaces this process made and has not deleted; the stale sweep leaves them alone.
    private static readonly ConcurrentDictionary<string, byte> s_ours = new();
    private static int s_labCount;

    /// <summary>The <c>ip</c> command's path, or <see langword="null"/> when iproute2 is not installed.</summary>
    internal static string? IpPathOrNull => s_ipPath.Value;

    /// <summary>The <c>ip</c> command's path.</summary>
    /// <exception cref="InvalidOperationException">iproute2 is not installed.</exception>
    internal static string IpPath => s_ipPath.Value ?? throw new InvalidOperationException("the ip command (iproute2) is not installed");

    /// <summary>The next lab number of this process (1, 2, …), shared by every lab topology.</summary>
    // <summary>
    // Stops the namespaces' threads, then deletes the namespaces and their /etc/netns directories. What could not be
    // removed is added to <paramref name="errors"/>; threads of this process found inside a namespace (which keep it
    // alive and catch their sockets) become a test warning.
    // </summary>
    internal static async Task RemoveAsync(IEnumerable<NetworkNamespace?> namespaces, IEnumerable<string> names, List<string> errors)
    {
        var stray = new List<string>();
        foreach (var ns in namespaces)
        {
            if (ns is not null)
            {
                ns.Dispose();
                stray.AddRange(ns.FindStrayThreads().Select(t => $"{t} in {ns.Name}"));
            }
        }

        foreach (string name in names)
        {
            await DeleteNamespaceAsync(name, errors);
            DeleteDirectory(Path.Combine("/etc/netns", name), errors);
        }

        if (stray.Count > 0)
        {
            TestContext.Current.AddWarning($"threads of this process were left inside lab namespaces, which stay alive (and catch their sockets) until those threads end: {string.Join(", ", stray)}");
        }
    }

    private static int NextLabNumber() => Interlocked.Increment(ref s_labCount);

    // <summary>
    // Makes lab number N (after starting the runtime's threads outside every lab and sweeping stale namespaces) and
    // builds it; a lab whose build fails is disposed, and the build's error is the one thrown.
    // </summary>
    internal static async Task<T> CreateAsync<T>(Func<int, T> create, Func<T, CancellationToken, Task> build, CancellationToken cancellationToken)
        where T : IAsyncDisposable
    {
        await StartRuntimeThreadsOutsideLabsAsync(cancellationToken);
        await RemoveStaleAsync(cancellationToken);
        var lab = create(NextLabNumber());
        try
        {
            await build(lab, cancellationToken);
            return lab;
        }
        catch
        {
            try
            {
                await lab.DisposeAsync();
            }
            catch (InvalidOperationException)
            {
                // The error that stopped the build matters more than one from cleaning up after it.
            }

            throw;
        }
    }

    /// <summary>Marks <paramref name="name"/> as this process's, before it is created, so that no stale sweep deletes it.</summary>
    internal static void Register(string name) => s_ours[name] = 0;

    /// <summary>Finds a program on PATH or in the usual system directories (root's PATH may lack <c>/usr/sbin</c>).</summary>
    /// <returns>Its full path, or <see langword="null"/> when it is not installed.</returns>
    internal static string? FindCommand(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs <c>ip ARGUMENTS…</c> and returns its output.</summary>
    /// <exception cref="InvalidOperationException">It failed (the message quotes its standard error).</exception>
    internal static async Task<ProcessResult> RunIpAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync(IpPath, arguments, CommandTimeout, cancellationToken);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed with exit code {result.ExitCode}: {result.StdErr.Trim()}");
    }

    /// <summary>
    /// Deletes a namespace this process made and forgets it; adds a message to <paramref name="errors"/> if it still
    /// exists afterwards.
    /// </summary>
    internal static async Task DeleteNamespaceAsync(string name, List<string> errors)
    {
        try
        {
            var result = await ChildProcess.RunAsync(IpPath, ["netns", "delete", name], CommandTimeout, CancellationToken.None);
            if (result.ExitCode != 0 && File.Exists(Path.Combine("/var/run/netns", name)))
            {
                errors.Add($"ip netns delete {name}: {result.StdErr.Trim()}");
                return;
            }

            s_ours.TryRemove(name, out _);
        }
        catch (Exception e) when (e is TimeoutException or Win32Exception)
        {
            errors.Add($"ip netns delete {name}: {e.Message}");
        }
    }

    /// <summary>Deletes a directory and everything in it; a missing one is not an error.</summary>
    internal static void DeleteDirectory(string path, List<string>? errors)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never written, or already gone.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors?.Add($"delete {path}: {e.Message}");
        }
    }

    /// <summary>
    /// Deletes lab namespaces (and <c>/etc/netns</c> directories) whose owning process is gone, and ones named after
    /// this process that it did not make (left by an earlier process with the same id). Processes still inside such a
    /// namespace (a peer or a <c>tayga</c> a dead lab process started) are killed first: they would keep it alive.
    /// </summary>
    internal static async Task RemoveStaleAsync(CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var list = await RunIpAsync(["netns", "list"], cancellationToken);
        foreach (string line in list.StdOutLines)
        {
            // "NAME" or "NAME (id: 3)".
            string name = line.Split(' ', 2)[0];
            if (name.StartsWith(NetworkLab.NamePrefix, StringComparison.Ordinal))
            {
                names.Add(name);
            }
        }

        foreach (string directory in Directory.Exists("/etc/netns") ? Directory.EnumerateDirectories("/etc/netns", NetworkLab.NamePrefix + "*") : [])
        {
            names.Add(Path.GetFileName(directory));
        }

        foreach (string name in names.Where(IsStale))
        {
            if (File.Exists(Path.Combine("/var/run/netns", name)))
            {
                var pids = await ChildProcess.RunAsync(IpPath, ["netns", "pids", name], CommandTimeout, cancellationToken);
                foreach (string line in pids.StdOutLines)
                {
                    KillLeftOver(line);
                }
            }

            await ChildProcess.RunAsync(IpPath, ["netns", "delete", name], CommandTimeout, cancellationToken);
            DeleteDirectory(Path.Combine("/etc/netns", name), errors: null);
        }
    }

    /// <summary>
    /// Connects from <paramref name="client"/> to a fresh listener on <paramref name="listenAddress"/> in
    /// <paramref name="server"/>, through <paramref name="connectAddress"/> (the same address, or one a translator
    /// maps onto it), until it works; each connection must leave from <paramref name="expectedLocal"/>.
    /// </summary>
    /// <remarks>Both ends close with linger 0 (a reset), so no TIME-WAIT entry is left for tests that list sockets.</remarks>
    /// <exception cref="TimeoutException">No connect worked within 5 s.</exception>
    internal static async Task WaitUntilConnectableAsync(
        NetworkNamespace client, NetworkNamespace server, IPAddress listenAddress, IPAddress connectAddress, IPAddress expectedLocal, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_readyTimeout);
        Exception? last = null;
        while (true)
        {
            try
            {
                await TryConnectOnceAsync(client, server, listenAddress, connectAddress, expectedLocal, deadline.Token);
                return;
            }
            catch (Exception e) when (e is SocketException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }

            if (deadline.IsCancellationRequested)
            {
                string target = connectAddress.Equals(listenAddress) ? $"{listenAddress}" : $"{connectAddress} (a listener on {listenAddress})";
                throw new TimeoutException($"the lab's client namespace could not connect to {target} in its server namespace within {s_readyTimeout.TotalSeconds} s: {last?.Message}", last);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Deadline: reported on the next round.
            }
        }
    }

    /// <summary>
    /// The runtime starts its socket event thread and its thread-pool threads on first use, from whichever thread uses
    /// them first; a thread inherits its creator's namespace. Use them here, outside every lab, so they start out here.
    /// </summary>
    /// <exception cref="InvalidOperationException">The calling thread is inside a network namespace.</exception>
    internal static async Task StartRuntimeThreadsOutsideLabsAsync(CancellationToken cancellationToken)
    {
        if (!NetworkNamespace.IsCurrentThreadInRootNamespace())
        {
            throw new InvalidOperationException("a network lab is being created from a thread inside a network namespace");
        }

        await Task.Run(() => { }, cancellationToken);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.LingerState = new LingerOption(true, 0);
        var accepting = listener.AcceptAsync(cancellationToken);
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken).AsTask().WaitAsync(CommandTimeout, cancellationToken);
        using var accepted = await accepting.AsTask().WaitAsync(CommandTimeout, cancellationToken);
    }

    private static async Task TryConnectOnceAsync(
        NetworkNamespace client, NetworkNamespace server, IPAddress listenAddress, IPAddress connectAddress, IPAddress expectedLocal, CancellationToken cancellationToken)
    {
        using var listener = server.Run(() =>
        {
            var socket = new Socket(listenAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(listenAddress, 0));
                socket.Listen(1);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });
        using var connecting = client.CreateSocket(connectAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        connecting.LingerState = new LingerOption(true, 0);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(s_readyAttemptTimeout);
        var accepting = listener.AcceptAsync(attempt.Token).AsTask();
        try
        {
            await connecting.ConnectAsync(new IPEndPoint(connectAddress, ((IPEndPoint)listener.LocalEndPoint!).Port), attempt.Token);
            using var accepted = await accepting;
            accepted.LingerState = new LingerOption(true, 0);
        }
        catch
        {
            await attempt.CancelAsync();
            try
            {
                (await accepting).Dispose();
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // The accept was what failed, or was cancelled just now.
            }

            throw;
        }

        var local = (IPEndPoint)connecting.LocalEndPoint!;
        if (!local.Address.Equals(expectedLocal))
        {
            throw new InvalidOperationException($"a lab connection to {connectAddress} left from {local}, not from the client namespace's address");
        }
    }

    private static bool IsStale(string name)
    {
        string rest = name[NetworkLab.NamePrefix.Length..];
        int dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return false;
        }

        return pid == Environment.ProcessId
            ? !s_ours.ContainsKey(name)
            : !Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}"));
    }

    // A process inside a stale lab namespace: started by a lab process that is gone (its own pid is never in there:
    // this process's threads that enter namespaces are its own, listed by thread id, not by ip netns pids).
    private static void KillLeftOver(string pidText)
    {
        if (!int.TryParse(pidText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid == Environment.ProcessId)
        {
            return;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Gone already, or not ours to kill.
        }
    }
}
