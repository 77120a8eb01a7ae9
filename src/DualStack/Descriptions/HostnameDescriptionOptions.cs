using System.Globalization;
using System.Net.Sockets;
using static DualStack.DescriptionFields;

namespace DualStack;

// <summary>The description options of a <see cref="HostnameEndpoint"/>: its connect policies as text, both ways.</summary>
internal static class HostnameDescriptionOptions
{
    // The one keyword an address literal takes as well (NAT64 concerns IPv4 addresses, whoever gives them).
    public const string SynthesizeNat64 = "synthesizeNat64";

    // Each keyword is the name of the ConnectOptions property it sets.
    public static readonly string[] Keys = ["attemptDelay", "resolutionDelay", "family", "preferredFamily", "firstAddressFamilyCount", "maxConcurrentAttempts", "policy", SynthesizeNat64];

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
                    "preferredFamily" => endpoint with { PreferredFamily = Family(parts, field) },
                    "firstAddressFamilyCount" => endpoint with { FirstAddressFamilyCount = PositiveInt(parts, field) },
                    "maxConcurrentAttempts" => endpoint with { MaxConcurrentAttempts = PositiveInt(parts, field) },
                    SynthesizeNat64 => endpoint with { SynthesizeNat64 = Bool(parts, field) },
                    _ => endpoint with { Policy = Policy(parts, field) },
                };
            }
            catch (ArgumentOutOfRangeException)
            {
                throw parts.Error($"option '{field.Key}'", $"'{field.Value}' is out of range ({RangeOf(field.Key!)})", field.Position);
            }
        }

        return endpoint;
    }

    // Only the settings that differ from the defaults.
    public static IEnumerable<(string Key, string Value)> Format(HostnameEndpoint endpoint)
    {
        var defaults = ConnectOptions.Default;
        if (endpoint.AttemptDelay != defaults.AttemptDelay)
        {
            yield return ("attemptDelay", FormatSeconds(endpoint.AttemptDelay));
        }

        if (endpoint.ResolutionDelay != defaults.ResolutionDelay)
        {
            yield return ("resolutionDelay", FormatSeconds(endpoint.ResolutionDelay));
        }

        if (endpoint.Family != defaults.Family)
        {
            yield return ("family", FormatFamily(endpoint.Family));
        }

        if (endpoint.PreferredFamily != defaults.PreferredFamily)
        {
            yield return ("preferredFamily", FormatFamily(endpoint.PreferredFamily));
        }

        if (endpoint.FirstAddressFamilyCount != defaults.FirstAddressFamilyCount)
        {
            yield return ("firstAddressFamilyCount", endpoint.FirstAddressFamilyCount.ToString(CultureInfo.InvariantCulture));
        }

        if (endpoint.MaxConcurrentAttempts != defaults.MaxConcurrentAttempts)
        {
            yield return ("maxConcurrentAttempts", endpoint.MaxConcurrentAttempts.ToString(CultureInfo.InvariantCulture));
        }

        if (endpoint.Policy != defaults.Policy)
        {
            yield return ("policy", endpoint.Policy == ConnectPolicy.Sequential ? "sequential" : "happy");
        }

        if (!endpoint.SynthesizeNat64)
        {
            yield return (SynthesizeNat64, "false");
        }
    }

    // The range of a numeric keyword, in the description's units (seconds), from the settings' own bounds.
    private static string RangeOf(string key) => key switch
    {
        "attemptDelay" => $"{ConnectOptions.MinAttemptDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)}-{ConnectOptions.MaxDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds",
        "resolutionDelay" => $"0-{ConnectOptions.MaxDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds",
        _ => "1 or more",
    };

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
