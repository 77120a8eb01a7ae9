using System.Net;
using System.Net.Sockets;

namespace DualStack.Tests.Shared;

/// <summary>Probes IPv6 on loopback by binding [::1]:0, as Kestrel's IPv6SupportedCondition does.</summary>
public static class IPv6Support
{
    private static readonly Lazy<bool> s_loopback = new(() =>
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    });

    public static bool IsLoopbackAvailable => s_loopback.Value;

    /// <summary>Skips the calling test, with the reason, when ::1 cannot be bound.</summary>
    public static void SkipUnlessAvailable(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !IsLoopbackAvailable)
        {
            Assert.Skip("IPv6 loopback (::1) cannot be bound on this machine");
        }
    }
}
