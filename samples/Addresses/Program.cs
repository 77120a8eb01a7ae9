// Addresses: IPv6 literals with zones, bracketed endpoints, IPv4-mapped addresses, and the interface table.
// Runs anywhere: it parses and prints, and reads this machine's interfaces; it opens no socket.
using System.Net;
using DualStack;

// A zone is kept end to end: parsed from a name or an index, printed back as the name.
var loopback = LocalInterface.GetAll().First(nic => nic.IsLoopback);
var zoned = IPLiteral.ParseAddress($"fe80::1%{loopback.Name}");
Console.WriteLine($"fe80::1%{loopback.Name} -> scope id {zoned.ScopeId}, formatted {IPLiteral.FormatAddress(zoned)}");
var byIndex = IPLiteral.ParseAddress($"fe80::1%{loopback.Index}");
Console.WriteLine($"fe80::1%{loopback.Index} -> {IPLiteral.FormatAddress(byIndex)}");

// Endpoints: [addr%zone]:port for IPv6, addr:port for IPv4.
var endPoint = IPLiteral.ParseEndPoint($"[fe80::1%{loopback.Name}]:5555");
Console.WriteLine($"endpoint {IPLiteral.FormatEndPoint(endPoint)} port {endPoint.Port}");
Console.WriteLine($"endpoint {IPLiteral.FormatEndPoint(IPLiteral.ParseEndPoint("192.0.2.1:80"))}");

// IPv4-mapped IPv6 (what a dual-mode socket reports for an IPv4 peer) becomes plain IPv4.
Console.WriteLine($"unmapped {IPLiteral.Unmap(IPAddress.Parse("::ffff:192.0.2.1"))}");

// Bad input is a FormatException-derived error that quotes the input and says what is wrong.
foreach (string bad in new[] { "fe80::1%no-such-interface", "[::1]:70000", "1.2.3" })
{
    Console.WriteLine(IPLiteral.TryParseEndPoint(bad, out _) || IPLiteral.TryParseAddress(bad, out _)
        ? $"{bad}: parsed"
        : $"{bad}: rejected");
}

try
{
    IPLiteral.ParseEndPoint("[::1]:70000");
}
catch (FormatException e)
{
    Console.WriteLine($"error: {e.Message}");
}

// The interface table: index, name, flags and addresses, link-local ones with their zone.
foreach (var nic in LocalInterface.GetAll())
{
    Console.WriteLine($"{nic.Index}: {nic.Name} up={nic.IsUp} loopback={nic.IsLoopback} multicast={nic.SupportsMulticast}");
    foreach (var address in nic.Addresses)
    {
        Console.WriteLine($"    {IPLiteral.FormatAddress(address.Address)}/{address.PrefixLength}");
    }
}
