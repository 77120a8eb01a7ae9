using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace DualStack.Cli;

/// <summary>How addresses and endpoints appear in the JSON output: family names, zones apart, IPv4-mapped as IPv4.</summary>
internal static class JsonShapes
{
    public static string Family(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    /// <summary>The address without its zone; the zone goes in its own field.</summary>
    public static string AddressWithoutZone(IPAddress address)
    {
        address = IPLiteral.Unmap(address);
        return IPLiteral.FormatZone(address) is null ? IPLiteral.FormatAddress(address) : IPLiteral.FormatAddress(new IPAddress(address.GetAddressBytes()));
    }

    public static JsonObject Address(IPAddress address)
    {
        address = IPLiteral.Unmap(address);
        return new JsonObject
        {
            ["family"] = Family(address.AddressFamily),
            ["address"] = AddressWithoutZone(address),
            ["zone"] = IPLiteral.FormatZone(address),
        };
    }

    public static string EndPoint(IPEndPoint endPoint) => IPLiteral.FormatEndPoint(IPLiteral.Unmap(endPoint));

    public static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> map) => new([.. items.Select(map)]);
}
