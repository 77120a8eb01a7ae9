using System.Runtime.InteropServices;

namespace DualStack.Cli;

/// <summary>
/// A token that SIGINT and SIGTERM cancel, for the commands that run until stopped (<c>listen</c>, <c>udp listen</c>,
/// <c>mcast listen</c>): they then close everything and exit 0, as the contract says.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public ShutdownSignal(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    /// <summary>Cancelled by SIGINT, SIGTERM, or the command's own token.</summary>
    public CancellationToken Token => _stop.Token;

    public bool IsStopping => _stop.IsCancellationRequested;

    public Task StopAsync() => _stop.CancelAsync();

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _stop.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
