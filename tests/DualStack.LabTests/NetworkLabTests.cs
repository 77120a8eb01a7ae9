using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>Each building block of the network lab, proven with real sockets made inside its namespaces.</summary>
public class NetworkLabTests
{
    public static TheoryData<AddressFamily> Families => new(AddressFamily.InterNetworkV6, AddressFamily.InterNetwork);

    [Theory]
    [MemberData(nameof(Families))]
    public async Task TcpServerEndpoint_ListeningInServerNamespace_AcceptsConnectionFromClientNamespace(AddressFamily family)
    {
        LabSupport.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetworkLab.CreateAsync(ct).Bounded();
        var endpoint = new TcpServerEndpoint(ServerAddress(lab, family), 0);

        await using var listener = await lab.Server.Run(() => endpoint.ListenAsync(ct)).Bounded();
        var local = Assert.Single(listener.LocalEndPoints);
        using var client = lab.Client.CreateSocket(family, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(local, ct).Bounded();
        await using var server = (await listener.AcceptAsync(ct).Bounded())!;

        // The client's own lab address proves its socket was made in the client namespace (not routed off the machine).
        Assert.Equal(ClientAddress(lab, family), ((IPEndPoint)client.LocalEndPoint!).Address);
        Assert.Equal(client.LocalEndPoint, server.RemoteEndPoint);
        await client.SendAsync("ping"u8.ToArray(), ct).Bounded();
        var buffer = new byte[4];
        await server.Stream.ReadExactlyAsync(buffer, ct).Bounded();
        Assert.Equal("ping"u8.ToArray(), buffer);
        Assert.Empty(lab.Server.FindStrayThreads());
        Assert.Empty(lab.Client.FindStrayThreads());
    }

    [Fact]
    public async Task CreateAsync_LeavesNoSocketBehindInEitherNamespace()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken).Bounded();

        // The readiness probe connects over both families; it must not leave TIME-WAIT entries for tests to trip over.
        Assert.Empty(await lab.TcpSocketsAsync(lab.Client).Bounded());
        Assert.Empty(await lab.TcpSocketsAsync(lab.Server).Bounded());
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Connect_ToAddedServerAddressWithoutListener_IsRefusedQuickly(AddressFamily family)
    {
        LabSupport.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetworkLab.CreateAsync(ct).Bounded();
        var address = lab.AddServerAddress(family);
        Assert.NotEqual(ServerAddress(lab, family), address);
        lab.Server.Run(() =>
        {
            // It is the server's: binding it there works.
            using var probe = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(address, 0));
        });

        using var client = lab.Client.CreateSocket(family, SocketType.Stream, ProtocolType.Tcp);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(new IPEndPoint(address, 9), ct).AsTask()).Bounded();

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"refused after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Connect_ToBlackholedAddress_StaysInSynSentUntilCancelledAndClosed(AddressFamily family)
    {
        LabSupport.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetworkLab.CreateAsync(ct).Bounded();
        var address = lab.AddBlackholedAddress(family);
        var remote = new IPEndPoint(address, 80);
        string remoteText = family == AddressFamily.InterNetworkV6 ? $"[{address}]:80" : $"{address}:80";

        var client = lab.Client.CreateSocket(family, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var clock = Stopwatch.StartNew();
            var connecting = client.ConnectAsync(remote, cancel.Token).AsTask();

            var pending = await lab.TcpSocketsAsync(lab.Client).Bounded();
            Assert.Contains(pending, line => line.StartsWith("SYN-SENT ", StringComparison.Ordinal) && line.EndsWith(" " + remoteText, StringComparison.Ordinal));
            var rest = TimeSpan.FromSeconds(1) - clock.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Assert.ThrowsAsync<TimeoutException>(() => connecting.WaitAsync(rest, ct));
            }

            Assert.False(connecting.IsCompleted, $"the connect to a black-holed address ended after {clock.Elapsed.TotalMilliseconds} ms: {connecting.Status}");

            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting).Bounded();
        }
        finally
        {
            client.Dispose();
        }

        Assert.DoesNotContain(await lab.TcpSocketsAsync(lab.Client).Bounded(), line => line.Contains(remoteText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteHostsAsync_NameResolvesInClientNamespace_AndFileGoesWithTheLab()
    {
        LabSupport.SkipUnlessAvailable();
        var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken).Bounded();
        try
        {
            await lab.WriteHostsAsync([("server.lab.test", lab.ServerIPv6), ("server.lab.test", lab.ServerIPv4)]).Bounded();

            var result = await lab.ExecAsync(lab.Client, "getent", "ahosts", "server.lab.test").Bounded();

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains(result.StdOutLines, line => line.StartsWith(lab.ServerIPv6 + " ", StringComparison.Ordinal));
            Assert.Contains(result.StdOutLines, line => line.StartsWith(lab.ServerIPv4 + " ", StringComparison.Ordinal));
        }
        finally
        {
            await lab.DisposeAsync().Bounded();
        }

        Assert.False(Directory.Exists(Path.GetDirectoryName(lab.ClientHostsPath)), $"{lab.ClientHostsPath} outlived the lab");
    }

    [Fact]
    public async Task DisposeAsync_DeletesBothNamespaces_AndIsSafeToCallTwice()
    {
        LabSupport.SkipUnlessAvailable();
        var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken).Bounded();
        string[] names = [lab.Client.Name, lab.Server.Name];
        Assert.Subset((await NamespacesAsync()).ToHashSet(), names.ToHashSet());

        await lab.DisposeAsync().Bounded();
        await lab.DisposeAsync().Bounded();

        Assert.Empty((await NamespacesAsync()).Intersect(names));
        Assert.Throws<ObjectDisposedException>(() => lab.Client.Run(() => { }));
    }

    [Fact]
    public async Task SeveralLabs_ExistAtOnce_WithDistinctNamesAndAddresses_AndCannotReachEachOther()
    {
        LabSupport.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        await using var first = await NetworkLab.CreateAsync(ct).Bounded();
        var creating = new[] { NetworkLab.CreateAsync(ct), NetworkLab.CreateAsync(ct) };
        NetworkLab[] created;
        try
        {
            created = await Task.WhenAll(creating).Bounded();
        }
        catch
        {
            foreach (var task in creating.Where(t => t.IsCompletedSuccessfully))
            {
                await (await task).DisposeAsync();
            }

            throw;
        }

        await using var second = created[0];
        await using var third = created[1];
        NetworkLab[] labs = [first, second, third];

        Assert.Equal(6, labs.SelectMany(l => new[] { l.Client.Name, l.Server.Name }).Distinct().Count());
        Assert.Equal(3, labs.Select(l => l.ClientInterface).Distinct().Count());
        Assert.Equal(3, labs.Select(l => l.ServerIPv6).Distinct().Count());
        Assert.Equal(3, labs.Select(l => l.ServerIPv4).Distinct().Count());
        foreach (var lab in labs)
        {
            await AssertConnectsAsync(lab, lab.ServerIPv6);
            await AssertConnectsAsync(lab, lab.ServerIPv4);
        }

        // A lab namespace has no default route: another lab's server is unreachable, and so is everything else.
        using var stranger = third.Client.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var error = await Assert.ThrowsAsync<SocketException>(() => stranger.ConnectAsync(new IPEndPoint(second.ServerIPv4, 9), ct).AsTask()).Bounded();
        Assert.Equal(SocketError.NetworkUnreachable, error.SocketErrorCode);
    }

    [Fact]
    public async Task AwaitUsing_WhenTheTestThrows_StillDeletesNamespacesAndHostsFile()
    {
        LabSupport.SkipUnlessAvailable();
        string[] names = [];
        string hostsPath = "";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken).Bounded();
            names = [lab.Client.Name, lab.Server.Name];
            hostsPath = lab.ClientHostsPath;
            await lab.WriteHostsAsync([("server.lab.test", lab.ServerIPv4)]).Bounded();
            lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);
            throw new InvalidOperationException("the test failed inside the lab");
        });

        Assert.Equal("the test failed inside the lab", error.Message);
        Assert.Equal(2, names.Length);
        Assert.Empty((await NamespacesAsync()).Intersect(names));
        Assert.False(Directory.Exists(Path.GetDirectoryName(hostsPath)), $"{hostsPath} outlived the lab");
    }

    [Fact]
    public async Task CreateAsync_RemovesNamespacesOfDeadLabProcesses_AndKeepsThoseOfLiveOnes()
    {
        LabSupport.SkipUnlessAvailable();
        var ct = TestContext.Current.CancellationToken;
        int deadPid = await DeadPidAsync();
        string dead = string.Create(CultureInfo.InvariantCulture, $"{NetworkLab.NamePrefix}{deadPid}-1-c");
        string deadHosts = Path.Combine("/etc/netns", dead);
        // PID 1 never dies.
        string alive = $"{NetworkLab.NamePrefix}1-1-c";
        try
        {
            await RunIpAsync("netns", "add", dead);
            await RunIpAsync("netns", "add", alive);
            Directory.CreateDirectory(deadHosts);
            await File.WriteAllTextAsync(Path.Combine(deadHosts, "hosts"), "198.18.0.1 stale.lab.test\n", ct);

            await using var lab = await NetworkLab.CreateAsync(ct).Bounded();

            var left = await NamespacesAsync();
            Assert.DoesNotContain(dead, left);
            Assert.Contains(alive, left);
            Assert.False(Directory.Exists(deadHosts), $"{deadHosts} survived the stale sweep");
        }
        finally
        {
            await ChildProcess.RunAsync("ip", ["netns", "delete", dead], TaskTimeoutExtensions.DefaultTimeout, CancellationToken.None);
            await ChildProcess.RunAsync("ip", ["netns", "delete", alive], TaskTimeoutExtensions.DefaultTimeout, CancellationToken.None);
            if (Directory.Exists(deadHosts))
            {
                Directory.Delete(deadHosts, recursive: true);
            }
        }
    }

    [Fact]
    public async Task FindStrayThreads_ReportsAThreadStartedInsideTheNamespace()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken).Bounded();
        using var release = new ManualResetEventSlim();

        var stray = lab.Server.Run(() =>
        {
            var thread = new Thread(() => release.Wait()) { IsBackground = true, Name = "lab stray" };
            thread.Start();
            return thread;
        });
        try
        {
            Assert.Contains(lab.Server.FindStrayThreads(), t => t.EndsWith("(lab stray)", StringComparison.Ordinal));
            Assert.Empty(lab.Client.FindStrayThreads());
        }
        finally
        {
            release.Set();
            stray.Join(TaskTimeoutExtensions.DefaultTimeout);
        }

        // A joined thread stays listed by the kernel for a moment.
        Assert.True(SpinWait.SpinUntil(() => lab.Server.FindStrayThreads().Count == 0, TaskTimeoutExtensions.DefaultTimeout));
    }

    [Fact]
    public async Task Run_RethrowsTheDelegatesException_AndRunsOnOneThreadInsideTheNamespace()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken).Bounded();

        var error = Assert.Throws<SocketException>(() => lab.Client.Run(() =>
        {
            // The server's address is not the client's: binding it there fails.
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(lab.ServerIPv6, 0));
        }));
        Assert.Equal(SocketError.AddressNotAvailable, error.SocketErrorCode);

        int first = lab.Server.Run(() => Environment.CurrentManagedThreadId);
        Assert.Equal(first, lab.Server.Run(() => Environment.CurrentManagedThreadId));
        Assert.NotEqual(Environment.CurrentManagedThreadId, first);
        Assert.Equal(lab.Server.Id, lab.Server.Run(() => new FileInfo("/proc/thread-self/ns/net").LinkTarget));
        Assert.NotEqual(lab.Client.Id, lab.Server.Id);
        Assert.Equal(7, lab.Server.Run(() => lab.Client.Run(() => 7)));
    }

    private static IPAddress ServerAddress(NetworkLab lab, AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? lab.ServerIPv6 : lab.ServerIPv4;

    private static IPAddress ClientAddress(NetworkLab lab, AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? lab.ClientIPv6 : lab.ClientIPv4;

    private static async Task AssertConnectsAsync(NetworkLab lab, IPAddress server)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var listener = await lab.Server.Run(() => new TcpServerEndpoint(server, 0).ListenAsync(ct)).Bounded();
        using var client = lab.Client.CreateSocket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoints[0], ct).Bounded();
        await using var accepted = (await listener.AcceptAsync(ct).Bounded())!;
        Assert.Equal(client.LocalEndPoint, accepted.RemoteEndPoint);
    }

    private static async Task<IReadOnlyList<string>> NamespacesAsync()
    {
        var result = await RunIpAsync("netns", "list");
        return result.StdOutLines.Select(line => line.Split(' ', 2)[0]).ToList();
    }

    private static async Task<ProcessResult> RunIpAsync(params string[] arguments)
    {
        var result = await ChildProcess.RunAsync("ip", arguments, TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, $"ip {string.Join(' ', arguments)}: {result}");
        return result;
    }

    // The id of a process that has just exited (and been reaped), so no process has it for now.
    private static async Task<int> DeadPidAsync()
    {
        await using var child = ChildProcess.Start("true", []);
        int pid = child.Id;
        await child.WaitForExitAsync(TaskTimeoutExtensions.DefaultTimeout, TestContext.Current.CancellationToken);
        return pid;
    }
}
