using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>
/// Soak and storm (issue #9): many races and many connects, bounded in count and in time, each measuring what is left
/// afterwards: open descriptors (<c>/proc/self/fd</c>), sockets the race made and did not close, attempts still
/// running, and managed memory after a forced collection. The figures are printed (docs/reliability.md quotes them).
/// </summary>
public sealed class SoakTests
{
    private const string Name = "server.lab.test";

    // Descriptors other than sockets that the runtime may open lazily during the run (an epoll instance, a pipe of the
    // lab's child processes); sockets have no tolerance. A leak of one descriptor per race would show as thousands.
    private const int DescriptorTolerance = 8;

    private const long MemoryToleranceBytes = 16 * 1024 * 1024;

    private static readonly TimeSpan s_timeLimit = TimeSpan.FromSeconds(60);

    // 10,000 races in the lab against a name whose IPv6 address is refused (7 races in 10) or silently dropped (3 in
    // 10), and whose IPv4 address answers. A seeded random choice cancels half of the races at a random moment: in the
    // first 30 ms when IPv6 is dropped (the attempt delay is 20 ms, so cancellations land before, during and after
    // the IPv4 attempt), in the first 3 ms when it is refused (such a race is over in about a millisecond).
    // 100 races run at once.
    [Fact]
    public async Task TenThousandRaces_WithRandomCancellation_LeaveNoSocketAttemptOrDescriptorBehind()
    {
        LabSupport.SkipUnlessAvailable();
        const int Races = 10_000;
        const int Concurrency = 100;
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        var dead = lab.AddBlackholedAddress(AddressFamily.InterNetworkV6);

        // IPv4 only: the server's IPv6 address refuses (RST), so a refused attempt fails at once.
        await using var listener = await lab.Server.Run(() => new TcpServerEndpoint(lab.ServerIPv4, 0).ListenAsync(TestContext.Current.CancellationToken).AsTask()).Bounded();
        int port = listener.LocalEndPoints[0].Port;
        var accepting = AcceptAndCloseAsync(listener);
        var connector = new CountingConnector(lab);
        var refused = Endpoint(connector, port, lab.ServerIPv6, lab.ServerIPv4);
        var blackholed = Endpoint(connector, port, dead, lab.ServerIPv4);
        var random = new Random(20260109);

        await RunRacesAsync(refused, blackholed, random, 200, Concurrency);  // warm up: the runtime opens descriptors lazily
        connector.Reset();
        var before = Measure();
        long started = TimeProvider.System.GetTimestamp();

        var (connected, cancelled, failed) = await RunRacesAsync(refused, blackholed, random, Races, Concurrency);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(0, connector.InFlight);
        int leftOpen = connector.OpenSocketsAfterRaces();
        int created = connector.Created;
        connector.Reset();
        await listener.DisposeAsync();
        await accepting.Bounded();
        var after = Measure();
        Report(
            $"{Races} races in {elapsed.TotalSeconds:0.0} s ({Concurrency} at once): {connected} connected, {cancelled} cancelled, {failed} failed; "
            + $"{created} sockets made by attempts, {leftOpen} left open; attempts in flight after: 0; before: {before}; after: {after}");

        Assert.Equal(Races, connected + cancelled + failed);
        Assert.True(connected > Races / 2 && cancelled > Races / 10, $"{connected} connected, {cancelled} cancelled: the mix did not happen");
        Assert.Equal(0, failed);
        Assert.Equal(0, leftOpen);
        Assert.InRange(after.Sockets, 0, before.Sockets);
        Assert.InRange(after.OtherDescriptors, 0, before.OtherDescriptors + DescriptorTolerance);
        Assert.InRange(after.Memory, 0, before.Memory + MemoryToleranceBytes);
        Assert.True(elapsed < s_timeLimit, $"the soak took {elapsed.TotalSeconds:0.0} s");
        Assert.DoesNotContain(await lab.TcpSocketsAsync(lab.Client), s => s.StartsWith("SYN-SENT", StringComparison.Ordinal) || s.StartsWith("ESTAB", StringComparison.Ordinal));
    }

    // 5,000 connects at once against one aggregate listener over loopback (every interface: one dual-mode socket, or
    // one socket per family), alternating 127.0.0.1 and ::1; each client sends a byte and reads the echo. Ten times the
    // backlog (512) arrive at once; should the kernel drop SYNs, the clients retransmit: every one must be served.
    // Needs no root.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FiveThousandConnectsAtOnce_AgainstTheAggregateListener_AreAllServedAndLeaveNothingBehind(bool perFamily)
    {
        const int Connects = 5_000;
        bool ipv6 = Socket.OSSupportsIPv6 && IPv6Loopback();
        var before = Measure();
        long started = TimeProvider.System.GetTimestamp();
        var endpoint = perFamily && ipv6 ? TcpServerEndpoint.AllInterfacesPerFamily(0) : TcpServerEndpoint.AllInterfaces(0);
        var listener = await endpoint.ListenAsync(TestContext.Current.CancellationToken).Bounded();
        int port = listener.LocalEndPoints[0].Port;
        int served = 0;
        var servers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (await listener.AcceptAsync(TestContext.Current.CancellationToken) is { } connection)
            {
                await using (connection)
                {
                    var buffer = new byte[1];
                    await connection.Stream.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
                    await connection.Stream.WriteAsync(buffer, TestContext.Current.CancellationToken);
                    Interlocked.Increment(ref served);
                }
            }
        })).ToList();

        int echoed = 0;
        var clients = Enumerable.Range(0, Connects).Select(async i =>
        {
            var address = ipv6 && i % 2 == 1 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
            await using var client = await new TcpClientEndpoint(address, port).ConnectAsync(TestContext.Current.CancellationToken);
            await client.Stream.WriteAsync(new byte[] { (byte)i }, TestContext.Current.CancellationToken);
            var buffer = new byte[1];
            await client.Stream.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
            if (buffer[0] == (byte)i)
            {
                Interlocked.Increment(ref echoed);
            }
        });
        await Task.WhenAll(clients).Bounded();

        await listener.DisposeAsync();
        await Task.WhenAll(servers).Bounded();
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var after = Measure();
        Report(
            $"{Connects} connects at once ({(ipv6 ? "127.0.0.1 and ::1" : "127.0.0.1")}) against {string.Join(", ", listener.LocalEndPoints)} in "
            + $"{elapsed.TotalSeconds:0.0} s: {echoed} echoed, {served} served; before: {before}; after: {after}");

        Assert.Equal(Connects, echoed);
        Assert.Equal(Connects, served);
        Assert.InRange(after.Sockets, 0, before.Sockets);
        Assert.InRange(after.OtherDescriptors, 0, before.OtherDescriptors + DescriptorTolerance);
        Assert.InRange(after.Memory, 0, before.Memory + MemoryToleranceBytes);
        Assert.True(elapsed < s_timeLimit, $"the storm took {elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<(int Connected, int Cancelled, int Failed)> RunRacesAsync(
        HostnameEndpoint refused, HostnameEndpoint blackholed, Random random, int races, int concurrency)
    {
        int connected = 0, cancelled = 0, failed = 0;
        for (int done = 0; done < races; done += concurrency)
        {
            var batch = Enumerable.Range(0, Math.Min(concurrency, races - done))
                .Select(_ => random.Next(10) < 3
                    ? (Endpoint: blackholed, CancelAfterMs: random.Next(2) == 0 ? random.Next(0, 30) : -1)
                    : (Endpoint: refused, CancelAfterMs: random.Next(2) == 0 ? random.Next(0, 3) : -1))
                .ToList();
            await Task.WhenAll(batch.Select(async race =>
            {
                using var cancel = race.CancelAfterMs >= 0 ? new CancellationTokenSource(TimeSpan.FromMilliseconds(race.CancelAfterMs)) : new CancellationTokenSource();
                try
                {
                    await using var connection = await race.Endpoint.ConnectAsync(cancel.Token);
                    Interlocked.Increment(ref connected);
                }
                catch (OperationCanceledException e) when (e.CancellationToken == cancel.Token)
                {
                    Interlocked.Increment(ref cancelled);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref failed);
                }
            })).Bounded();
        }

        return (connected, cancelled, failed);
    }

    private static HostnameEndpoint Endpoint(CountingConnector connector, int port, params IPAddress[] addresses)
    {
        var table = new HostTableResolver();
        foreach (var address in addresses)
        {
            table.Add(Name, address);
        }

        return new HostnameEndpoint(Name, port)
        {
            Resolver = table,
            AttemptDelay = TimeSpan.FromMilliseconds(20),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Connector = connector.ConnectAsync,
        };
    }

    private static async Task AcceptAndCloseAsync(IStreamListener listener)
    {
        while (await listener.AcceptAsync(TestContext.Current.CancellationToken) is { } connection)
        {
            await connection.DisposeAsync();
        }
    }

    // Open descriptors by kind: sockets, and everything else except loaded assemblies (the runtime maps each assembly it
    // loads for the first time, two descriptors each, which says nothing about leaks).
    private static Usage Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long memory = GC.GetTotalMemory(forceFullCollection: true);
        var targets = Directory.GetFiles("/proc/self/fd").Select(LinkTarget).ToList();
        return new Usage(
            targets.Count(t => t.StartsWith("socket:", StringComparison.Ordinal)),
            targets.Count(t => !t.StartsWith("socket:", StringComparison.Ordinal) && !t.EndsWith(".dll", StringComparison.Ordinal)),
            memory);

        static string LinkTarget(string fd)
        {
            try
            {
                return new FileInfo(fd).LinkTarget ?? string.Empty;
            }
            catch (IOException)
            {
                return string.Empty;  // closed while listing (the listing's own descriptor)
            }
        }
    }

    private readonly record struct Usage(int Sockets, int OtherDescriptors, long Memory)
    {
        public override string ToString() => $"{Sockets} sockets, {OtherDescriptors} other descriptors, {Memory / 1024} KiB managed";
    }

    private static bool IPv6Loopback()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
        Console.Error.WriteLine($"[soak] {line}");
    }

    /// <summary>
    /// The lab connector (sockets made in the client namespace), counting attempts in flight and keeping every socket
    /// it made, so the test can check that the race closed each one it did not hand out.
    /// </summary>
    private sealed class CountingConnector(NetworkLab lab)
    {
        private ConcurrentBag<(Socket Socket, bool Won)> _sockets = [];
        private int _inFlight;
        private int _created;

        public int InFlight => Volatile.Read(ref _inFlight);

        public int Created => Volatile.Read(ref _created);

        public async ValueTask<Socket> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _inFlight);
            try
            {
                var socket = lab.Client.CreateSocket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                Interlocked.Increment(ref _created);
                _sockets.Add((socket, false));
                return await SocketConnector.ConnectAsync(socket, remote, null, Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        // Winners were disposed by the test's `await using`, losers by the race: every socket must be closed by now.
        public int OpenSocketsAfterRaces() => _sockets.Count(s => !s.Socket.SafeHandle.IsClosed);

        public void Reset()
        {
            _sockets = [];
            _created = 0;
        }
    }
}
