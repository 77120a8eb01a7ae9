// Resolution: getaddrinfo and getnameinfo over pluggable resolvers, composed in a chain. Nothing leaves this
// machine: the names come from a fixed table, a hosts file given as text, an ssh_config alias, and the system
// resolver answers only "localhost".
using System.Net;
using System.Net.Sockets;
using DualStack;

// A fixed table: two addresses per family, deliberately out of order; HostLookup sorts answers that the
// resolver did not order by RFC 6724 (the system resolver's own order is kept). The order depends on this
// machine's own addresses: 2001:db8::10 goes first only where a global IPv6 source address exists.
var table = new HostTableResolver()
    .Add("app.test", IPAddress.Parse("192.0.2.10"))
    .Add("app.test", IPAddress.Parse("2001:db8::10"))
    .Add("app.test", IPAddress.IPv6Loopback)
    .Add("app.test", IPAddress.Loopback);

// A hosts file (here given as text; HostsFileResolver.LoadAsync reads one from disk).
var hosts = HostsFileResolver.Parse("""
    # address      names
    ::1            db.test
    127.0.0.1      db.test
    """);

// ssh_config aliases: "Host" names map to "HostName" (and "Port"), resolved by the next resolver.
var ssh = SshConfigResolver.Parse("""
    Host build
        HostName db.test
        Port 2222
    """, hosts);

// Asked in turn: the first resolver that knows the name answers.
var resolver = new ChainResolver(table, ssh, hosts, SystemResolver.Instance);

foreach (var (name, service) in new[] { ("app.test", "https"), ("build", (string?)null), ("localhost", "80") })
{
    var results = await HostLookup.GetAddressInfoAsync(name, service, new AddressInfoHints
    {
        SocketType = SocketType.Stream,
        Resolver = resolver,
    });
    Console.WriteLine($"{name} {service ?? "(no service)"}:");
    foreach (var result in results)
    {
        Console.WriteLine($"    {result.Family,-14} {IPLiteral.FormatEndPoint(result.EndPoint)}");
    }
}

// One family only: the other is not even asked for (separate queries per family).
var v4 = await HostLookup.GetAddressInfoAsync("app.test", "443", new AddressInfoHints { Family = AddressFamily.InterNetwork, Resolver = resolver, SocketType = SocketType.Stream });
Console.WriteLine($"app.test IPv4 only: {string.Join(", ", v4.Select(r => IPLiteral.FormatEndPoint(r.EndPoint)))}");

// getnameinfo, numeric: the endpoint back as text, no lookup.
var info = await HostLookup.GetNameInfoAsync(IPLiteral.ParseEndPoint("[::1]:443"), NameInfoOptions.NumericHost | NameInfoOptions.NumericService);
Console.WriteLine($"getnameinfo [::1]:443 -> host {info.Host}, service {info.Service}");

// A name nobody knows: a resolution error of its own, with the resolver's code.
try
{
    await HostLookup.GetAddressInfoAsync("nothing.test", "80", new AddressInfoHints { Resolver = table });
}
catch (HostResolutionException e)
{
    Console.WriteLine($"nothing.test: {e.Error}: {e.Message}");
}
