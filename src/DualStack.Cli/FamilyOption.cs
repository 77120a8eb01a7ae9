using System.CommandLine;
using System.Net.Sockets;

namespace DualStack.Cli;

/// <summary><c>--family any|4|6</c>.</summary>
internal static class FamilyOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--family")
        {
            HelpName = "any|4|6",
            Description = "Address family: any, 4 or 6",
            DefaultValueFactory = _ => "any",
        };
        option.AcceptOnlyFromAmong("any", "4", "6");
        return option;
    }

    public static AddressFamily Parse(string value) => value switch
    {
        "4" => AddressFamily.InterNetwork,
        "6" => AddressFamily.InterNetworkV6,
        _ => AddressFamily.Unspecified,
    };
}
