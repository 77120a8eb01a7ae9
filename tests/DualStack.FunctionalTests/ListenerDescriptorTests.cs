using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DualStack.Diagnostics;
using DualStack.FunctionalTests.Fakes;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DualStack.FunctionalTests;

/// <summary>
/// The listener and this process's file descriptors: none leaked by a failed bind, and accept failing with EMFILE
/// while the process has none left. These tests count or take away every descriptor of the process, so they run
/// alone, after the parallel tests (Linux only: /proc/self/fd and setrlimit).
/// </summary>
[Collection(Name)]
public sealed class ListenerDescriptorTests
{
    public const string Name = "Uses the process's file descriptors";

    [Fact]
    public void Bind_FailingOverAndOver_LeavesNoDescriptorOpen()
    {
        SkipUnlessLinux();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        int port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        // ::1 binds (closed again by the failure), 127.0.0.1 is taken (the socket that failed must be closed too).
        SocketListener.Plan[] plan = IPv6Support.IsLoopbackAvailable
            ? [new(IPAddress.IPv6Loopback, DualMode: false), new(IPAddress.Loopback, DualMode: false)]
            : [new(IPAddress.Loopback, DualMode: false)];
        Assert.Throws<ListenException>(() => Bind(plan, port));
        int before = OpenDescriptors();

        for (int i = 0; i < 100; i++)
        {
            Assert.Throws<ListenException>(() => Bind(plan, port));
        }

        // Nothing else runs in this process now; a little slack for the runtime's own.
        Assert.InRange(OpenDescriptors(), 0, before + 10);
    }

    // Connections the listener holds when disposed (in its queue, in the loop's hands, still in the kernel's backlog)
    // are closed: nothing is left open but the clients' own sockets.
    [Fact]
    public async Task Dispose_WithConnectionsNobodyAccepted_ClosesEveryOne()
    {
        SkipUnlessLinux();
        int before = OpenDescriptors();
        var listener = Bind([new(IPAddress.Loopback, DualMode: false)], 0);
        var clients = new List<Socket>();
        try
        {
            // More than the listener's queue holds (16), so that some are left in the kernel's backlog.
            for (int i = 0; i < 20; i++)
            {
                clients.Add(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                await clients[i].ConnectAsync(listener.LocalEndPoints[0], TestContext.Current.CancellationToken).AsTask().Bounded();
            }

            await listener.DisposeAsync().Bounded();

            Assert.InRange(OpenDescriptors(), 0, before + clients.Count + 5);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    // Out of descriptors (EMFILE), the connection waits in the backlog while the listener pauses on its clock, 5 ms
    // then doubling; it logs the episode once, counts every failed accept, and says when accepting works again.
    [Fact]
    public async Task Accept_OutOfDescriptors_BacksOffOnTheListenersClock_ThenAcceptsTheWaitingConnection()
    {
        SkipUnlessLinux();
        var clock = new TimerWatchingTimeProvider();
        using var logs = new ListLoggerFactory();
        using var meters = new TestMeters();
        var errors = meters.Collect<long>(DualStackMetrics.ListenerAcceptErrorsName);
        var logger = logs.CreateLogger<TcpServerEndpoint>();
        await using var listener = SocketListener.Bind(
            [new(IPAddress.Loopback, DualMode: false)], 0, TcpServerEndpoint.DefaultBacklog, "test", logger, DualStackMetrics.For(meters.Factory), clock);
        var local = listener.LocalEndPoints[0];
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        using (DescriptorLimit.TakeAll())
        {
            // A blocking connect (on loopback, done at once): an asynchronous one would register the socket with the
            // runtime's event loop, which takes a descriptor.
            client.Connect(local);
            await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(5));
            Assert.Single(logs.Events, e => e.Id == 101);
            clock.Advance(TimeSpan.FromMilliseconds(5));
            await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(10));
            clock.Advance(TimeSpan.FromMilliseconds(10));
            await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(20));
        }

        clock.Advance(TimeSpan.FromMilliseconds(20));
        await using var server = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(client.LocalEndPoint, server!.RemoteEndPoint);
        var backingOff = Assert.Single(logs.Events, e => e.Id == 101);
        Assert.Equal(LogLevel.Warning, backingOff.Level);
        Assert.Equal(local, backingOff.Fields["LocalEndPoint"]);
        Assert.Equal(SocketError.TooManyOpenSockets, Assert.IsType<SocketException>(backingOff.Exception).SocketErrorCode);
        var resumed = Assert.Single(logs.Events, e => e.Id == 102);
        Assert.Equal(3, resumed.Fields["FailureCount"]);
        Assert.Equal(3, errors.GetMeasurementSnapshot().Count(m => (string?)m.Tags["error.type"] == "too_many_open_files"));

        // The episode is over: a connection accepted at once is not another resumption.
        using var next = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await next.ConnectAsync(local, TestContext.Current.CancellationToken).AsTask().Bounded();
        await using var nextServer = await listener.AcceptAsync(TestContext.Current.CancellationToken).Bounded();
        Assert.Single(logs.Events, e => e.Id == 102);
    }

    // Stopped while it pauses, the listener takes the connection still waiting in the backlog, and hands it to the
    // accept that was waiting.
    [Fact]
    public async Task Stop_WhileBackingOff_HandsTheWaitingConnectionToAPendingAccept()
    {
        SkipUnlessLinux();
        var clock = new TimerWatchingTimeProvider();
        await using var listener = SocketListener.Bind(
            [new(IPAddress.Loopback, DualMode: false)], 0, TcpServerEndpoint.DefaultBacklog, "test", NullLogger.Instance, DualStackMetrics.None, clock);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (DescriptorLimit.TakeAll())
        {
            client.Connect(listener.LocalEndPoints[0]);
            await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(5));
        }

        // Descriptors are free again, but the listener pauses until its clock has moved on.
        var pending = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        await listener.StopAsync(TestContext.Current.CancellationToken).Bounded();

        await using var server = await pending.Bounded();
        Assert.Equal(client.LocalEndPoint, server!.RemoteEndPoint);
    }

    private static SocketListener Bind(IReadOnlyList<SocketListener.Plan> plan, int port) =>
        SocketListener.Bind(plan, port, TcpServerEndpoint.DefaultBacklog, "test", NullLogger.Instance, DualStackMetrics.None, TimeProvider.System);

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static void SkipUnlessLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("counts and limits descriptors the Linux way (/proc/self/fd, RLIMIT_NOFILE 7)");
        }
    }

    // Lowers this process's soft RLIMIT_NOFILE to 0 until disposed: every call that would open a descriptor fails
    // with EMFILE; those already open keep working. Starting a thread takes descriptors too, so the runtime's timer
    // thread (which timeouts need) is started first.
    private sealed class DescriptorLimit : IDisposable
    {
        private const int RlimitNofile = 7;
        private readonly Limit _saved;

        private DescriptorLimit()
        {
            using (new Timer(_ => { }, null, TimeSpan.FromDays(1), Timeout.InfiniteTimeSpan))
            {
            }

            if (getrlimit(RlimitNofile, out _saved) != 0)
            {
                throw new InvalidOperationException($"getrlimit failed: errno {Marshal.GetLastPInvokeError()}");
            }

            Set(_saved with { Current = 0 });
        }

        public static DescriptorLimit TakeAll() => new();

        public void Dispose() => Set(_saved);

        private static void Set(Limit limit)
        {
            if (setrlimit(RlimitNofile, in limit) != 0)
            {
                throw new InvalidOperationException($"setrlimit failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        // getrlimit(2) and setrlimit(2). DllImport rather than LibraryImport, as in ChildProcess: the arguments are
        // blittable, and LibraryImport would make the project unsafe.
        [DllImport("libc", SetLastError = true)]
        private static extern int getrlimit(int resource, out Limit limit);

        [DllImport("libc", SetLastError = true)]
        private static extern int setrlimit(int resource, in Limit limit);

        [StructLayout(LayoutKind.Sequential)]
        private readonly record struct Limit(ulong Current, ulong Maximum);
    }
}

/// <summary>Runs <see cref="ListenerDescriptorTests"/> alone, after the parallel tests of this assembly.</summary>
[CollectionDefinition(ListenerDescriptorTests.Name, DisableParallelization = true)]
public sealed class UsesTheProcessDescriptors
{
}
