using System.Net;
using DualStack.Tests.Shared;

namespace DualStack.FunctionalTests;

/// <summary>The probing overload of <see cref="DestinationAddressSelection"/> against the real routing table, on loopback.</summary>
public class DestinationAddressSelectionTests
{
    [Fact]
    public void Sort_LoopbackOfBothFamilies_ProbesBothAsUsableAndPutsIPv6First()
    {
        IPv6Support.SkipUnlessAvailable(IPAddress.IPv6Loopback);
        var v6 = new IPEndPoint(IPAddress.IPv6Loopback, 80);
        var v4 = new IPEndPoint(IPAddress.Loopback, 80);

        var sorted = DestinationAddressSelection.Sort([v4, v6]);

        // Both usable: each is reached from its own loopback address. ::1 then wins on precedence
        // (50 against IPv4's 35); were it unusable, rule 1 would have put it last.
        Assert.Equal(IPAddress.IPv6Loopback, SourceAddressProbe.SourceFor(v6));
        Assert.Equal(IPAddress.Loopback, SourceAddressProbe.SourceFor(v4));
        Assert.Collection(sorted, e => Assert.Same(v6, e), e => Assert.Same(v4, e));
    }

    [Fact]
    public void SourceFor_IPv4MappedLoopback_IsProbedOverIPv4()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 80);

        Assert.Equal(IPAddress.Loopback, SourceAddressProbe.SourceFor(mapped));
    }

    [Fact]
    public void SourceFor_PortZero_StillFindsTheSource()
    {
        Assert.Equal(IPAddress.Loopback, SourceAddressProbe.SourceFor(new IPEndPoint(IPAddress.Loopback, 0)));
    }
}
