using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace DualStack.Tests.Shared;

/// <summary>
/// A program run as a child process (argument list, no shell) whose output is captured as it arrives:
/// wait for it to exit, or read its standard output line by line while it runs and then stop it with a signal.
/// </summary>
/// <remarks>
/// Every wait is bounded: a child that overruns is killed with its whole process tree and the wait throws
/// <see cref="TimeoutException"/> quoting what the child wrote so far. Disposing kills a child still running.
/// Standard input is closed at once: no command reads it, and a child must never wait on the test runner's terminal.
/// </remarks>
public sealed class ChildProcess : IAsyncDisposable
{
    // Once the child has exited, its pipes reach end of file at once unless a grandchild still holds them.
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(5);

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Process _process;
    private readonly string _commandLine;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _pumps;

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        _pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, _stdout, _lines.Writer),
            PumpAsync(process.StandardError, _stderr, lines: null));
    }

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the child has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="fileName"/> (found on PATH if not a path) with <paramref name="arguments"/>, each passed as is.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program does not exist or cannot be started.</exception>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments) => Start(fileName, arguments, environment: null);

    /// <summary>
    /// Starts <paramref name="fileName"/> as <see cref="Start(string, IEnumerable{string})"/> does, with the test's environment
    /// changed by <paramref name="environment"/>: each entry sets a variable, or removes it where its value is <see langword="null"/>.
    /// </summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = s_utf8,
            StandardErrorEncoding = s_utf8,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start");
        process.StandardInput.Close();
        return new ChildProcess(process, FormatCommandLine(startInfo));
    }

    /// <summary>Runs a program to completion and returns what it wrote.</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>; it has been killed.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program does not exist or cannot be started.</exception>
    public static Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, environment: null, timeout, cancellationToken);

    /// <summary>Runs a program to completion, its environment changed as <see cref="Start(string, IEnumerable{string}, IReadOnlyDictionary{string, string?})"/> says.</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>; it has been killed.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program does not exist or cannot be started.</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var child = Start(fileName, arguments, environment);
        return await child.WaitForExitAsync(timeout, cancellationToken);
    }

    /// <summary>Reads the next line of standard output, waiting up to <see cref="TaskTimeoutExtensions.DefaultTimeout"/> for it.</summary>
    /// <returns>The line without its terminator, or <see langword="null"/> at end of output.</returns>
    /// <exception cref="TimeoutException">No line came in time (the child keeps running).</exception>
    public Task<string?> ReadLineAsync(CancellationToken cancellationToken) => ReadLineAsync(TaskTimeoutExtensions.DefaultTimeout, cancellationToken);

    /// <summary>Reads the next line of standard output, waiting up to <paramref name="timeout"/> for it.</summary>
    /// <returns>The line without its terminator, or <see langword="null"/> at end of output.</returns>
    /// <exception cref="TimeoutException">No line came in time (the child keeps running).</exception>
    public async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(deadline.Token))
            {
                if (_lines.Reader.TryRead(out string? line))
                {
                    return line;
                }
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{_commandLine} wrote no line within {timeout.TotalSeconds} s; {OutputSoFar()}");
        }
    }

    /// <summary>Waits for the child to exit by itself.</summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="timeout"/>; it has been killed.</exception>
    public Task<ProcessResult> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForExitAsync(timeout, "by itself", cancellationToken);

    /// <summary>
    /// Asks the child to stop with <paramref name="signal"/> (<see cref="PosixSignal.SIGINT"/>, <see cref="PosixSignal.SIGTERM"/>,
    /// <see cref="PosixSignal.SIGHUP"/> or <see cref="PosixSignal.SIGQUIT"/>) and waits for it to exit. Where signals do not
    /// exist (Windows) the child is killed instead.
    /// </summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="timeout"/> of the signal; it has been killed.</exception>
    public Task<ProcessResult> StopAsync(PosixSignal signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_process.HasExited && !Signal(signal))
        {
            // No signals here, or the child is already gone (ESRCH): make sure it is.
            KillTree();
        }

        return WaitForExitAsync(timeout, $"after {signal}", cancellationToken);
    }

    /// <summary>Sends <paramref name="signal"/> (SIGHUP, SIGINT, SIGQUIT or SIGTERM) and returns at once.</summary>
    /// <returns>Whether it was sent: false where signals do not exist (Windows) or the child is gone.</returns>
    public bool Signal(PosixSignal signal)
    {
        int number = signal switch
        {
            PosixSignal.SIGHUP => 1,
            PosixSignal.SIGINT => 2,
            PosixSignal.SIGQUIT => 3,
            PosixSignal.SIGTERM => 15,
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "only SIGHUP, SIGINT, SIGQUIT and SIGTERM can be sent"),
        };

        return !OperatingSystem.IsWindows() && kill(_process.Id, number) == 0;
    }

    /// <summary>Stops the child with <see cref="PosixSignal.SIGINT"/>, waiting up to <see cref="TaskTimeoutExtensions.DefaultTimeout"/>.</summary>
    public Task<ProcessResult> StopAsync(CancellationToken cancellationToken) => StopAsync(PosixSignal.SIGINT, TaskTimeoutExtensions.DefaultTimeout, cancellationToken);

    /// <summary>Kills the child and its process tree if it still runs, then releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillTreeAsync();
        try
        {
            await _pumps.WaitAsync(s_drainTimeout);
        }
        catch (TimeoutException)
        {
            // A grandchild holds the pipes; nothing more to read that anyone will look at.
        }

        _process.Dispose();
    }

    private async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout, string how, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillTreeAsync();
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{_commandLine} did not exit {how} within {timeout.TotalSeconds} s and was killed; {OutputSoFar()}");
        }

        await _pumps.WaitAsync(s_drainTimeout, cancellationToken);
        lock (_stdout)
        {
            lock (_stderr)
            {
                return new ProcessResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
            }
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder all, ChannelWriter<string>? lines)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (all)
                {
                    all.Append(buffer, 0, read);
                }

                if (lines is null)
                {
                    continue;
                }

                foreach (char c in buffer.AsSpan(0, read))
                {
                    if (c == '\n')
                    {
                        lines.TryWrite(line.ToString().TrimEnd('\r'));
                        line.Clear();
                    }
                    else
                    {
                        line.Append(c);
                    }
                }
            }

            if (line.Length > 0)
            {
                lines?.TryWrite(line.ToString());
            }
        }
        finally
        {
            lines?.TryComplete();
        }
    }

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    // Kill only sends SIGKILL; wait until the child is really gone (reaped) before telling anyone it is.
    private async Task KillTreeAsync()
    {
        KillTree();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(s_drainTimeout);
        }
        catch (TimeoutException)
        {
            // Stuck in the kernel (uninterruptible sleep); nothing more a test can do.
        }
    }

    private string OutputSoFar()
    {
        lock (_stdout)
        {
            lock (_stderr)
            {
                return $"stdout so far: {_stdout}{Environment.NewLine}stderr so far: {_stderr}";
            }
        }
    }

    private static string FormatCommandLine(ProcessStartInfo startInfo)
    {
        const int MaxShown = 80;
        var words = startInfo.ArgumentList.Prepend(startInfo.FileName).Select(word =>
        {
            string shown = word.Length > MaxShown ? word[..MaxShown] + "…" : word;
            return shown.Length == 0 || shown.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\') ? $"'{shown}'" : shown;
        });
        return string.Join(' ', words);
    }

    // POSIX kill(2): the only way to send SIGINT/SIGTERM; Process.Kill sends SIGKILL. A DllImport rather than a
    // LibraryImport: its arguments are blittable, and LibraryImport would make every project compiling tests/Shared unsafe.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
