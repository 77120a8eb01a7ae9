using System.Net;
using System.Net.Sockets;
using DualStack.Tests.Shared;
using DualStack.Tests.Shared.Lab;

namespace DualStack.LabTests;

/// <summary>Listening on an interface by name in a namespace whose veth has a link-local address.</summary>
public sealed class ListenerLabTests
{
    [Fact]
    public async Task ListenOnInterface_BindsItsLinkLocalAddressWithZone_ReachableFromThePeerByZone()
    {
        LabSupport.SkipUnlessAvailable();
        await using var lab = await NetworkLab.CreateAsync(TestContext.Current.CancellationToken);
        await lab.SetLinkLocalAddressesAsync();

        // Interface names and indexes belong to a namespace: plan and bind on the server namespace's thread.
        await using var listener = await lab.Server.Run(() => TcpServerEndpoint.ForInterface(lab.ServerInterface, 0).ListenAsync(TestContext.Current.CancellationToken).AsTask()).Bounded();
        var linkLocal = Assert.Single(listener.LocalEndPoints, e => e.Address.IsIPv6LinkLocal);
        Assert.Contains(listener.LocalEndPoints, e => e.Address.Equals(lab.ServerIPv6));
        Assert.Contains(listener.LocalEndPoints, e => e.Address.Equals(lab.ServerIPv4));
        Assert.Single(listener.LocalEndPoints.Select(e => e.Port).Distinct());
        Assert.Equal(lab.ServerInterface, lab.Server.Run(() => IPLiteral.FormatZone(linkLocal.Address)));

        // The client names the server's link-local address through its own end of the veth: fe80::…%dslNc.
        string literal = $"{IPLiteral.FormatAddress(new IPAddress(linkLocal.Address.GetAddressBytes()))}%{lab.ClientInterface}";
        var remote = lab.Client.Run(() => new IPEndPoint(IPLiteral.ParseAddress(literal), linkLocal.Port));
        var accept = listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask();
        var socket = await SocketConnector.ConnectAsync(
            lab.Client.CreateSocket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp), remote, null, TimeSpan.FromSeconds(10), TimeProvider.System, TestContext.Current.CancellationToken).Bounded();
        using (socket)
        {
            await using var accepted = (await accept.Bounded())!;
            var peer = Assert.IsType<IPEndPoint>(accepted.RemoteEndPoint);
            Assert.True(peer.Address.IsIPv6LinkLocal);
            Assert.Equal(lab.ServerInterface, lab.Server.Run(() => IPLiteral.FormatZone(peer.Address)));
            Assert.Equal($"[{literal}]:{linkLocal.Port}", lab.Client.Run(() => IPLiteral.FormatEndPoint((IPEndPoint)socket.RemoteEndPoint!)));
        }
    }
}
