using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;

namespace DualStack.Tests.Fakes;

/// <summary>
/// A connector whose attempts the test ends by hand, before or after they start, with a real connected loopback socket:
/// nothing happens on its own, and its tasks complete on the test's thread. It does not hear cancellation: a cancelled
/// attempt goes on until the test ends it (<see cref="EndCancelled"/>), as a connect slow to notice would.
/// </summary>
public sealed class StepConnector
{
    private readonly Dictionary<IPAddress, TaskCompletionSource<Socket>> _attempts = [];

    public Socket Connect(string address)
    {
        var socket = ConnectedSockets.Create();
        Attempt(address).SetResult(socket);
        return socket;
    }

    public void EndCancelled(string address) => Attempt(address).SetCanceled();

    public ValueTask<Socket> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken) => new(Attempt(endPoint.Address.ToString()).Task);

    private TaskCompletionSource<Socket> Attempt(string address)
    {
        lock (_attempts)
        {
            var key = IPAddress.Parse(address);
            return _attempts.TryGetValue(key, out var attempt) ? attempt : _attempts[key] = new();
        }
    }
}
