using System.Globalization;
using System.Net.Sockets;
using static DualStack.DescriptionFields;

namespace DualStack;

/// <summary>The description options of a <see cref="HostnameEndpoint"/>: its connect policies as text, both ways.</summary>
internal static class HostnameDescriptionOptions
{
    public static readonly string[] Keys = ["attemptDelay", "resolutionDelay", "family", "prefer", "firstFamilyCount", "maxAttempts", "policy"];

    public static HostnameEndpoint Apply(DescriptionParts parts, HostnameEndpoint endpoint)
    {
        foreach (var field in parts.Keywords.Where(k => Keys.Contains(k.Key)))
        {
            try
            {
                endpoint = field.Key switch
                {
                    "attemptDelay" => endpoint with { AttemptDelay = Seconds(parts, field) },
                    "resolutionDelay" => endpoint with { ResolutionDelay = field.Value == "0" ? TimeSpan.Zero : Seconds(parts, field) },
                    "family" => endpoint with { Family = Family(parts, field) },
                    "prefer" => endpoint with { PreferredFamily = Family(parts, field) },
                    "firstFamilyCount" => endpoint with { FirstAddressFamilyCount = PositiveInt(parts, field) },
                    "maxAttempts" => endpoint with { MaxConcurrentAttempts = PositiveInt(parts, field) },
                    _ => endpoint with { Policy = Policy(parts, field) },
                };
            }
            catch (ArgumentOutOfRangeException)
            {
                throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is out of range (see docs/descriptions.md)", field.Position);
            }
        }

        return endpoint;
    }

    public static IEnumerable<(string Key, string Value)> Format(HostnameEndpoint endpoint)
    {
        if (endpoint.AttemptDelay != ConnectionRaceOptions.DefaultAttemptDelay)
        {
            yield return ("attemptDelay", FormatSeconds(endpoint.AttemptDelay));
        }

        if (endpoint.ResolutionDelay != HostnameEndpoint.DefaultResolutionDelay)
        {
            yield return ("resolutionDelay", FormatSeconds(endpoint.ResolutionDelay));
        }

        if (endpoint.Family != AddressFamily.Unspecified)
        {
            yield return ("family", FormatFamily(endpoint.Family));
        }

        if (endpoint.PreferredFamily != AddressFamily.InterNetworkV6)
        {
            yield return ("prefer", FormatFamily(endpoint.PreferredFamily));
        }

        if (endpoint.FirstAddressFamilyCount != 1)
        {
            yield return ("firstFamilyCount", endpoint.FirstAddressFamilyCount.ToString(CultureInfo.InvariantCulture));
        }

        if (endpoint.MaxConcurrentAttempts != int.MaxValue)
        {
            yield return ("maxAttempts", endpoint.MaxConcurrentAttempts.ToString(CultureInfo.InvariantCulture));
        }

        if (endpoint.Policy == ConnectPolicy.Sequential)
        {
            yield return ("policy", "sequential");
        }
    }

    private static AddressFamily Family(DescriptionParts parts, DescriptionParts.Field field) => field.Value switch
    {
        "4" => AddressFamily.InterNetwork,
        "6" => AddressFamily.InterNetworkV6,
        _ => throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is not 4 or 6", field.Position),
    };

    private static string FormatFamily(AddressFamily family) => family == AddressFamily.InterNetwork ? "4" : "6";

    private static ConnectPolicy Policy(DescriptionParts parts, DescriptionParts.Field field) => field.Value switch
    {
        "happy" => ConnectPolicy.HappyEyeballs,
        "sequential" => ConnectPolicy.Sequential,
        _ => throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is not happy or sequential", field.Position),
    };
}
