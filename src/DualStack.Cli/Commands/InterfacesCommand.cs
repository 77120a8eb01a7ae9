using System.CommandLine;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary><c>dualstack interfaces</c>: the local interfaces with index, flags and addresses (zones shown).</summary>
internal static class InterfacesCommand
{
    public static Command Create()
    {
        var command = new Command("interfaces", "List local interfaces with index, flags and addresses");
        command.SetAction(parseResult =>
        {
            var interfaces = LocalInterface.GetAll();
            if (parseResult.GetValue(CliOptions.Json))
            {
                Cli.WriteJson(new JsonObject { ["interfaces"] = JsonShapes.Array(interfaces, ToJson) });
                return Cli.Success;
            }

            foreach (var nic in interfaces)
            {
                // As ip(8) prints flags, with the state said outright: "down" rather than an empty <>.
                Console.WriteLine($"{nic.Index}: {nic.Name} <{(nic.IsUp ? string.Join(",", Flags(nic)) : string.Join(",", ["down", .. Flags(nic)]))}>");
                foreach (var address in nic.Addresses)
                {
                    Console.WriteLine($"    {address}");
                }
            }

            return Cli.Success;
        });
        return command;
    }

    private static JsonObject ToJson(LocalInterface nic) => new()
    {
        ["name"] = nic.Name,
        ["index"] = nic.Index,
        ["flags"] = JsonShapes.Array(Flags(nic), f => f),
        ["addresses"] = JsonShapes.Array(nic.Addresses, a =>
        {
            var json = JsonShapes.Address(a.Address);
            json["prefix_length"] = a.PrefixLength;
            return json;
        }),
    };

    private static IEnumerable<string> Flags(LocalInterface nic)
    {
        if (nic.IsUp)
        {
            yield return "up";
        }

        if (nic.IsLoopback)
        {
            yield return "loopback";
        }

        if (nic.SupportsMulticast)
        {
            yield return "multicast";
        }
    }
}
