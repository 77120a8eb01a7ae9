using System.Runtime.InteropServices;
using DualStack.Tests.Shared;

namespace DualStack.Cli.Tests;

/// <summary>The runner the black-box tests stand on: lines as they come, stop by signal, kill on overrun.</summary>
/// <remarks>The child is <c>sh</c>, so that these tests do not depend on any dualstack command that runs until stopped.</remarks>
public sealed class ChildProcessTests
{
    // A child that says it is ready, then waits to be stopped. exec: the signal reaches sleep itself.
    private static readonly string[] s_readyThenWait = ["-c", "echo ready; exec sleep 60"];

    [Theory]
    [InlineData(PosixSignal.SIGINT, 130)]
    [InlineData(PosixSignal.SIGTERM, 143)]
    public async Task StopAsync_RunningChild_SendsTheSignal(PosixSignal signal, int exitCode)
    {
        SkipUnlessPosixShell();
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var child = ChildProcess.Start("sh", s_readyThenWait);

        Assert.Equal("ready", await child.ReadLineAsync(cancellationToken));
        var result = await child.StopAsync(signal, TaskTimeoutExtensions.DefaultTimeout, cancellationToken);

        // A process ended by signal N reports exit code 128 + N.
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal("ready\n", result.StdOut);
    }

    [Fact]
    public async Task WaitForExitAsync_ChildOverruns_KillsItAndThrowsTimeout()
    {
        SkipUnlessPosixShell();
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var child = ChildProcess.Start("sh", s_readyThenWait);
        Assert.Equal("ready", await child.ReadLineAsync(cancellationToken));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => child.WaitForExitAsync(TimeSpan.FromMilliseconds(100), cancellationToken));

        Assert.Contains("ready", error.Message, StringComparison.Ordinal);
        Assert.True(child.HasExited);
    }

    [Fact]
    public async Task ReadLineAsync_EndOfOutput_ReturnsNull()
    {
        SkipUnlessPosixShell();
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var child = ChildProcess.Start("sh", ["-c", "printf 'one\\ntwo'"]);

        Assert.Equal("one", await child.ReadLineAsync(cancellationToken));
        Assert.Equal("two", await child.ReadLineAsync(cancellationToken));
        Assert.Null(await child.ReadLineAsync(cancellationToken));
        var result = await child.WaitForExitAsync(TaskTimeoutExtensions.DefaultTimeout, cancellationToken);
        Assert.Equal("one\ntwo", result.StdOut);
    }

    private static void SkipUnlessPosixShell()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("needs sh and POSIX signals");
        }
    }
}
