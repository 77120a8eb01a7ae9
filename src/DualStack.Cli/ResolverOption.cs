using System.CommandLine;
using System.Net;

namespace DualStack.Cli;

/// <summary><c>--resolver system|dns=SERVER|hosts=FILE|ssh-config=FILE</c>: which resolver a command uses.</summary>
internal static class ResolverOption
{
    public static Option<string> Create() => new("--resolver")
    {
        HelpName = "SPEC",
        Description = "system, dns=SERVER[:PORT], hosts=FILE or ssh-config=FILE",
        DefaultValueFactory = _ => "system",
    };

    /// <exception cref="ArgumentException">The specification is not one of the forms above.</exception>
    public static async Task<IHostResolver> ResolveAsync(string specification, CancellationToken cancellationToken)
    {
        int equals = specification.IndexOf('=', StringComparison.Ordinal);
        string kind = equals < 0 ? specification : specification[..equals];
        string value = equals < 0 ? string.Empty : specification[(equals + 1)..];
        return kind switch
        {
            "system" when equals < 0 => SystemResolver.Instance,
            "dns" when value.Length > 0 => new DnsResolver(DnsServer(value)),
            "hosts" when value.Length > 0 => await Load(() => HostsFileResolver.LoadAsync(value, cancellationToken)),
            "ssh-config" when value.Length > 0 => await Load(() => SshConfigResolver.LoadAsync(value, SystemResolver.Instance, cancellationToken)),
            _ => throw new ArgumentException($"--resolver '{specification}': expected system, dns=SERVER, hosts=FILE or ssh-config=FILE"),
        };
    }

    // A DNS server is an address (port 53) or an endpoint: 192.0.2.53, [2001:db8::53]:5353, ::1.
    private static IPEndPoint DnsServer(string value)
    {
        if (IPLiteral.TryParseAddress(value, out var address))
        {
            return new IPEndPoint(address, 53);
        }

        return IPLiteral.ParseEndPoint(value);
    }

    private static async Task<IHostResolver> Load<T>(Func<Task<T>> load)
        where T : IHostResolver
    {
        try
        {
            return await load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file named on the command line that cannot be read is bad input, not a failed lookup.
            throw new ArgumentException($"--resolver: {e.Message}", e);
        }
    }
}
