using System.Net;
using CsCheck;

namespace DualStack.Tests.Descriptions;

/// <summary>format ∘ parse is the identity on generated addresses, endpoints and descriptions.</summary>
public class RoundTripProperties
{
    private static readonly Gen<IPAddress> s_ipv4 = Gen.Byte.Array[4].Select(b => new IPAddress(b));

    // Random bytes seldom contain zero groups, so zero some groups on purpose to exercise '::' compression.
    private static readonly Gen<IPAddress> s_ipv6 =
        Gen.Select(Gen.Byte.Array[16], Gen.Int[0, 255], Gen.Frequency((3, Gen.Const(0L)), (1, Gen.Const(1L)), (1, Gen.UInt[1, uint.MaxValue].Select(u => (long)u))))
            .Select((bytes, zeroMask, scope) =>
            {
                for (int group = 0; group < 8; group++)
                {
                    if ((zeroMask & (1 << group)) != 0)
                    {
                        bytes[2 * group] = 0;
                        bytes[(2 * group) + 1] = 0;
                    }
                }

                return new IPAddress(bytes, scope);
            });

    private static readonly Gen<IPAddress> s_address = Gen.OneOf(s_ipv4, s_ipv6);

    private static readonly Gen<int> s_port = Gen.Int[0, 65535];

    private static readonly Gen<string> s_label =
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_"], 1, 20]
            .Where(l => l[0] != '-' && l[^1] != '-');

    private static readonly Gen<string> s_hostName =
        Gen.Select(s_label.Array[0, 4], Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz"], 1, 10])
            .Select((labels, tld) => string.Join('.', labels.Append(tld)));

    private static readonly Gen<TimeSpan?> s_timeout =
        Gen.Frequency((1, Gen.Const((TimeSpan?)null)), (1, Gen.Int[1, 10_000_000].Select(ms => (TimeSpan?)TimeSpan.FromMilliseconds(ms))));

    // Each of HostnameEndpoint's racing options, at its default or at a generated value.
    private static readonly Gen<Func<HostnameEndpoint, HostnameEndpoint>> s_racingOptions =
        Gen.Select(Gen.Int[0, 2000], Gen.Int[0, 2000], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 4], Gen.Int[0, 9], Gen.Bool)
            .Select((attemptMs, resolutionMs, family, prefer, firstCount, maxAttempts, sequential) => new Func<HostnameEndpoint, HostnameEndpoint>(e => e with
            {
                AttemptDelay = attemptMs < 10 ? e.AttemptDelay : TimeSpan.FromMilliseconds(attemptMs),
                ResolutionDelay = TimeSpan.FromMilliseconds(resolutionMs),
                Family = e.BindEndPoint is null ? (System.Net.Sockets.AddressFamily)(new[] { 0, 2, 23 }[family]) : e.Family,
                PreferredFamily = prefer == 1 ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6,
                FirstAddressFamilyCount = firstCount + 1,
                MaxConcurrentAttempts = maxAttempts == 0 ? int.MaxValue : maxAttempts,
                Policy = sequential ? ConnectPolicy.Sequential : ConnectPolicy.HappyEyeballs,
            }));

    [Fact]
    public void Addresses_FormatThenParse_GivesTheSameAddress()
    {
        s_address.Sample(address =>
        {
            string text = IPLiteral.FormatAddress(address);
            var parsed = IPLiteral.ParseAddress(text);
            Assert.Equal(address, parsed);
            Assert.Equal(text, IPLiteral.FormatAddress(parsed));
        });
    }

    [Fact]
    public void Addresses_OurFormat_ParsesWithTheBcl()
    {
        s_address.Sample(address =>
        {
            var plain = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()) : address;
            Assert.Equal(plain, IPAddress.Parse(IPLiteral.FormatAddress(plain)));
        });
    }

    [Fact]
    public void EndPoints_FormatThenParse_GivesTheSameEndPoint()
    {
        Gen.Select(s_address, s_port).Sample((address, port) =>
        {
            var endPoint = new IPEndPoint(address, port);
            Assert.Equal(endPoint, IPLiteral.ParseEndPoint(IPLiteral.FormatEndPoint(endPoint)));
        });
    }

    [Fact]
    public void ServerDescriptions_FormatThenParse_GiveAnEqualEndpoint()
    {
        var scopes = Gen.Int[0, 3];
        var backlog = Gen.Frequency((2, Gen.Const(TcpServerEndpoint.DefaultBacklog)), (1, Gen.Int[1, 100_000]));
        Gen.Select(scopes, s_address, s_port, backlog).Sample((scope, address, port, log) =>
        {
            var endpoint = scope switch
            {
                0 => new TcpServerEndpoint(address, port),
                1 => TcpServerEndpoint.AllInterfaces(port),
                2 => TcpServerEndpoint.AllInterfacesPerFamily(port),
                _ => TcpServerEndpoint.ForInterface("lo", port),
            } with { Backlog = log };

            foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
            {
                string text = EndpointDescription.Format(endpoint, syntax);
                var parsed = EndpointDescription.ParseServer(text);
                Assert.Equal(endpoint, parsed);
                Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
            }
        });
    }

    [Fact]
    public void DatagramDescriptions_FormatThenParse_GiveAnEqualEndpoint()
    {
        Gen.Select(Gen.Int[0, 2], s_address, s_port, Gen.Bool).Sample((scope, address, port, reuse) =>
        {
            var endpoint = scope switch
            {
                0 => new UdpEndpoint(address, port),
                1 => UdpEndpoint.AllInterfaces(port),
                _ => UdpEndpoint.ForInterface("lo", port),
            } with { ReuseAddress = reuse };

            foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
            {
                string text = EndpointDescription.Format(endpoint, syntax);
                var parsed = EndpointDescription.ParseDatagram(text);
                Assert.Equal(endpoint, parsed);
                Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
            }
        });
    }

    [Fact]
    public void ClientDescriptions_FormatThenParse_GiveAnEqualEndpoint()
    {
        var literalClients = Gen.Select(s_address, s_port, s_timeout, Gen.Bool, s_port).Select((address, port, timeout, bind, bindPort) =>
        {
            var endpoint = new TcpClientEndpoint(address, port);
            if (bind)
            {
                endpoint = endpoint with { BindEndPoint = new IPEndPoint(address, bindPort) };
            }

            return (IStreamClientEndpoint)(timeout is { } t ? endpoint with { ConnectTimeout = t } : endpoint);
        });
        var namedClients = Gen.Select(s_hostName, s_port, s_timeout, Gen.OneOf(Gen.Const((IPEndPoint?)null), Gen.Select(s_address, s_port).Select((a, p) => (IPEndPoint?)new IPEndPoint(a, p))))
            .Select((host, port, timeout, bind) =>
            {
                var endpoint = new HostnameEndpoint(host, port) { BindEndPoint = bind };
                return timeout is { } t ? endpoint with { ConnectTimeout = t } : endpoint;
            })
            .Select(s_racingOptions, (endpoint, options) => (IStreamClientEndpoint)options(endpoint));

        Gen.OneOf(literalClients, namedClients).Sample(endpoint =>
        {
            foreach (var syntax in new[] { DescriptionSyntax.Uri, DescriptionSyntax.Twisted })
            {
                string text = EndpointDescription.Format(endpoint, syntax);
                var parsed = EndpointDescription.ParseClient(text);
                Assert.Equal(endpoint, parsed);
                Assert.Equal(text, EndpointDescription.Format(parsed, syntax));
            }
        });
    }
}
