using System.CommandLine;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace DualStack.Cli.Commands;

/// <summary><c>dualstack resolve HOST [SERVICE]</c>: a getaddrinfo-style table, in connection order.</summary>
internal static class ResolveCommand
{
    public static Command Create()
    {
        var host = new Argument<string>("HOST") { Description = "A host name or an address literal (fe80::1%eth0)" };
        var service = new Argument<string?>("SERVICE") { Description = "A port number or a service name (http)", Arity = ArgumentArity.ZeroOrOne };
        var family = FamilyOption.Create();
        var resolver = ResolverOption.Create();
        var noNat64 = CliOptions.NoNat64();

        var command = new Command("resolve", "Resolve a host (and service) to addresses, as getaddrinfo does");
        command.Arguments.Add(host);
        command.Arguments.Add(service);
        command.Options.Add(family);
        command.Options.Add(resolver);
        command.Options.Add(noNat64);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            long start = TimeProvider.System.GetTimestamp();
            string name = parseResult.GetValue(host)!;
            var hints = new AddressInfoHints
            {
                Family = FamilyOption.Parse(parseResult.GetValue(family)!),
                Options = AddressInfoOptions.CanonicalName | (parseResult.GetValue(noNat64) ? AddressInfoOptions.None : AddressInfoOptions.SynthesizeNat64),
                Resolver = await ResolverOption.ResolveAsync(parseResult.GetValue(resolver)!, cancellationToken),
            };
            IReadOnlyList<AddressInfo> results;
            using (new Spinner($"resolving {name}", enabled: !parseResult.GetValue(CliOptions.Json)))
            {
                results = await HostLookup.GetAddressInfoAsync(name, parseResult.GetValue(service), hints, cancellationToken);
            }

            double elapsed = TimeProvider.System.GetElapsedTime(start).TotalMilliseconds;

            if (parseResult.GetValue(CliOptions.Json))
            {
                Cli.WriteJson(new JsonObject
                {
                    ["host"] = name,
                    ["results"] = JsonShapes.Array(results, ToJson),
                    ["elapsed_ms"] = Math.Round(elapsed, 3),
                });
                return Cli.Success;
            }

            foreach (var result in results)
            {
                string nat64 = result.SynthesizedFrom is { } ipv4 ? $"(NAT64 for {ipv4}) " : string.Empty;
                Console.WriteLine(
                    $"{JsonShapes.Family(result.Family),-5} {IPLiteral.FormatAddress(IPLiteral.Unmap(result.EndPoint.Address)),-40} {result.EndPoint.Port,5} {SocketTypeName(result.SocketType),-6} {nat64}{result.CanonicalName}".TrimEnd());
            }

            return Cli.Success;
        });
        return command;
    }

    private static JsonObject ToJson(AddressInfo result)
    {
        var json = JsonShapes.Address(result.EndPoint.Address);
        json["port"] = result.EndPoint.Port;
        json["socket_type"] = SocketTypeName(result.SocketType);
        json["canonical_name"] = result.CanonicalName;
        if (result.SynthesizedFrom is { } ipv4)
        {
            json["synthesized_from"] = ipv4.ToString();
        }

        return json;
    }

    private static string SocketTypeName(SocketType type) => type == SocketType.Dgram ? "dgram" : "stream";
}
