using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace DualStack.Tests.Shared.Lab;

/// <summary>
/// A named Linux network namespace (<c>/var/run/netns/NAME</c>) with a dedicated thread inside it: delegates given to
/// <see cref="Run{T}(Func{T})"/> execute on that thread, so the sockets they create live in the namespace.
/// </summary>
/// <remarks>
/// <para>
/// A network namespace belongs to a thread (<c>setns(fd, CLONE_NEWNET)</c>), and a socket keeps the namespace it was
/// created in: create it here, then use it from any thread. A socket created anywhere else lives in the root namespace,
/// whose default route leads off the machine; always check a lab connection's local address.
/// </para>
/// <para>
/// A thread inherits the namespace of the thread that creates it. Code run here that makes the runtime start a thread
/// (the socket engine's event thread, a thread-pool worker) would leave that thread inside the namespace for good;
/// <see cref="NetworkLab"/> starts those threads in the root namespace first, and <see cref="FindStrayThreads"/>
/// lists any that got in anyway. Keep delegates short and synchronous: create and bind sockets, start listeners.
/// </para>
/// </remarks>
public sealed class NetworkNamespace : IDisposable
{
    private const int CLONE_NEWNET = 0x40000000;

    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    private readonly BlockingCollection<WorkItem> _work = new();
    private readonly Thread _thread;
    private int _disposed;
    private int _ownThreadId;

    /// <summary>Starts the namespace's thread and waits until it has entered the namespace.</summary>
    /// <param name="name">The namespace's name, as <c>ip netns add</c> made it.</param>
    /// <exception cref="InvalidOperationException">The namespace cannot be entered; the thread has stopped.</exception>
    internal NetworkNamespace(string name)
    {
        Name = name;
        // Not disposed: the thread may still be inside Set when Wait returns.
        var entered = new ManualResetEventSlim();
        Exception? failure = null;
        _thread = new Thread(() => ThreadMain(entered, e => failure = e)) { IsBackground = true, Name = $"netns {name}" };
        _thread.Start();
        entered.Wait();
        if (failure is not null)
        {
            _thread.Join(s_stopTimeout);
            throw new InvalidOperationException($"cannot enter network namespace {name}: {failure.Message}", failure);
        }
    }

    /// <summary>The namespace's name, as <c>ip netns list</c> shows it.</summary>
    public string Name { get; }

    /// <summary>The kernel's identity of the namespace, as <c>/proc/PID/task/TID/ns/net</c> links show it (<c>net:[4026532246]</c>).</summary>
    public string Id { get; private set; } = "";

    /// <summary>Runs <paramref name="action"/> on the namespace's thread and returns its result.</summary>
    /// <exception cref="ObjectDisposedException">The namespace's thread has been stopped.</exception>
    /// <exception cref="TimeoutException">
    /// The delegate ran longer than <see cref="TaskTimeoutExtensions.DefaultTimeout"/> (it keeps the thread busy).
    /// </exception>
    /// <remarks>Whatever <paramref name="action"/> throws is rethrown here with its original stack trace.</remarks>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        Run(() => { result = action(); });
        return result;
    }

    /// <summary>Runs <paramref name="action"/> on the namespace's thread and waits until it has returned.</summary>
    /// <exception cref="ObjectDisposedException">The namespace's thread has been stopped.</exception>
    /// <exception cref="TimeoutException">
    /// The delegate ran longer than <see cref="TaskTimeoutExtensions.DefaultTimeout"/> (it keeps the thread busy).
    /// </exception>
    /// <remarks>Whatever <paramref name="action"/> throws is rethrown here with its original stack trace.</remarks>
    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Thread.CurrentThread == _thread)
        {
            action();
            return;
        }

        var item = new WorkItem(action);
        try
        {
            _work.Add(item);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Dispose ran between the check above and here.
            throw new ObjectDisposedException(GetType().FullName);
        }

        if (!item.Done.Wait(TaskTimeoutExtensions.DefaultTimeout))
        {
            // The event stays undisposed: the thread still sets it when the delegate returns.
            throw new TimeoutException($"a delegate run in network namespace {Name} did not return within {TaskTimeoutExtensions.DefaultTimeout.TotalSeconds} s");
        }

        item.Dispose();
        item.Error?.Throw();
    }

    /// <summary>Creates a socket inside the namespace.</summary>
    /// <exception cref="SocketException">The socket cannot be created.</exception>
    public Socket CreateSocket(AddressFamily addressFamily, SocketType socketType, ProtocolType protocolType) =>
        Run(() => new Socket(addressFamily, socketType, protocolType));

    /// <summary>
    /// Lists this process's threads that are inside the namespace, other than its own thread: each as
    /// <c>TID (NAME)</c>. Sockets those threads create land in the namespace, and they keep it alive after
    /// <c>ip netns del</c>.
    /// </summary>
    public IReadOnlyList<string> FindStrayThreads()
    {
        var stray = new List<string>();
        int own = _ownThreadId;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                string tid = Path.GetFileName(task);
                // Its own thread, even after Join: the kernel lists a joined thread for a moment longer.
                if (tid == own.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    continue;
                }

                if (new FileInfo(Path.Combine(task, "ns", "net")).LinkTarget == Id)
                {
                    stray.Add($"{tid} ({File.ReadAllText(Path.Combine(task, "comm")).Trim()})");
                }
            }
            catch (IOException)
            {
                // The thread exited while being looked at.
            }
            catch (UnauthorizedAccessException)
            {
                // Likewise (its entries vanish).
            }
        }

        return stray;
    }

    /// <summary>Stops the namespace's thread (waiting up to 5 s for a delegate still running). Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread && _thread.Join(s_stopTimeout))
        {
            _work.Dispose();
        }
    }

    /// <summary>Whether the calling thread is in the same network namespace as the process's main thread.</summary>
    internal static bool IsCurrentThreadInRootNamespace() =>
        new FileInfo("/proc/thread-self/ns/net").LinkTarget == new FileInfo("/proc/self/ns/net").LinkTarget;

    // Signals with a ManualResetEventSlim, not a Task: completing a task here could queue its continuation to the
    // thread pool and so start a pool thread inside the namespace.
    private void ThreadMain(ManualResetEventSlim entered, Action<Exception> fail)
    {
        try
        {
            string root = new FileInfo("/proc/self/ns/net").LinkTarget ?? "";
            using (var handle = File.OpenHandle(Path.Combine("/var/run/netns", Name), FileMode.Open, FileAccess.Read))
            {
                if (setns((int)handle.DangerousGetHandle(), CLONE_NEWNET) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new InvalidOperationException($"setns failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }
            }

            string id = new FileInfo("/proc/thread-self/ns/net").LinkTarget ?? "";
            if (id.Length == 0 || id == root)
            {
                throw new InvalidOperationException($"setns reported success, but the thread is still in the root namespace ({root})");
            }

            _ownThreadId = gettid();
            Id = id;
            entered.Set();
        }
        catch (Exception e)
        {
            fail(e);
            entered.Set();
            return;
        }

        foreach (var item in _work.GetConsumingEnumerable())
        {
            try
            {
                item.Action();
            }
            catch (Exception e)
            {
                item.Error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                item.Done.Set();
            }
        }
    }

    // setns(2) and gettid(2). DllImport rather than LibraryImport, as in ChildProcess: the arguments are blittable, and
    // LibraryImport would make every project compiling tests/Shared unsafe.
    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);

    [DllImport("libc")]
    private static extern int gettid();

    private sealed class WorkItem(Action action) : IDisposable
    {
        public Action Action { get; } = action;

        public ManualResetEventSlim Done { get; } = new();

        public ExceptionDispatchInfo? Error { get; set; }

        public void Dispose() => Done.Dispose();
    }
}
