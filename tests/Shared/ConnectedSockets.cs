using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Shared;

/// <summary>
/// Hands out connected TCP sockets over 127.0.0.1, at once, so that fakes on a fake clock can "win" a race with a
/// socket that a NetworkStream accepts. The accepting side is closed right away; nothing is sent.
/// </summary>
public static class ConnectedSockets
{
    private static readonly Lazy<Socket> s_listener = new(() =>
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1024);
        return listener;
    });

    public static Socket Create()
    {
        var listener = s_listener.Value;
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        listener.Accept().Dispose();
        return client;
    }
}
