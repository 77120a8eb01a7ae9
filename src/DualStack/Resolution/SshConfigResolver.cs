using System.Globalization;
using System.Net.Sockets;

using DualStack.Internal;

namespace DualStack;

/// <summary>
/// Resolves OpenSSH <c>ssh_config</c> aliases: a <c>Host</c> block's <c>HostName</c> and <c>Port</c> replace the
/// name and port asked for, and another resolver resolves the result.
/// </summary>
/// <remarks>
/// <para>
/// As in <c>ssh_config(5)</c>: keywords are case-insensitive and take their argument after whitespace or <c>=</c>;
/// a <c>Host</c> line lists patterns with <c>*</c> and <c>?</c> wildcards, and <c>!pattern</c> excludes; a block
/// applies when one pattern matches and no negated one does; for each keyword the first value obtained wins, in
/// file order, across every block that applies; lines before the first <c>Host</c> apply to every host.
/// <c>HostName</c> may contain <c>%h</c> (the name asked for) and <c>%%</c>.
/// </para>
/// <para>
/// Not supported, and listed in <see cref="Warnings"/> when met: <c>Match</c> blocks (their lines are ignored)
/// and <c>Include</c>. Other keywords are ignored silently. A name that no block maps goes to the inner resolver as it is.
/// </para>
/// </remarks>
public sealed class SshConfigResolver : IHostResolver
{
    private readonly List<Block> _blocks = [];
    private readonly List<string> _warnings = [];
    private readonly IHostResolver _inner;

    private SshConfigResolver(IHostResolver inner) => _inner = inner;

    /// <summary>The lines that were not understood, each as <c>line N: what is wrong</c>.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Parses <c>ssh_config</c> text.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="inner">Resolves the names that aliases map to (and names that no alias maps).</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static SshConfigResolver Parse(string text, IHostResolver inner)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(inner);
        var resolver = new SshConfigResolver(inner);
        resolver.ParseLines(text);
        return resolver;
    }

    /// <summary>Reads and parses an <c>ssh_config</c> file.</summary>
    /// <param name="path">The file, such as <c>~/.ssh/config</c>.</param>
    /// <param name="inner">Resolves the names that aliases map to.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="IOException">The file cannot be read, or is larger than 16 MiB.</exception>
    public static async Task<SshConfigResolver> LoadAsync(string path, IHostResolver inner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(await ConfigFile.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), inner);
    }

    /// <inheritdoc />
    public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var (hostName, aliasPort) = Map(host);
        var answer = await _inner.ResolveAsync(hostName, aliasPort ?? port, family, cancellationToken).ConfigureAwait(false);
        string? canonical = answer.CanonicalName ?? (string.Equals(hostName, host, StringComparison.OrdinalIgnoreCase) ? null : hostName);
        return new HostAddresses(answer.EndPoints, answer.IsOrdered, canonical);
    }

    // <summary>What the configuration maps <paramref name="host"/> to: the host name to resolve and the port, if one is set.</summary>
    internal (string HostName, int? Port) Map(string host)
    {
        string? hostName = null;
        int? port = null;
        foreach (var block in _blocks)
        {
            if (!block.Matches(host))
            {
                continue;
            }

            hostName ??= block.HostName;
            port ??= block.Port;
        }

        return (hostName is null ? host : ExpandTokens(hostName, host), port);
    }

    private static string ExpandTokens(string value, string host) =>
        value.Replace("%%", "\0", StringComparison.Ordinal).Replace("%h", host, StringComparison.Ordinal).Replace('\0', '%');

    private void ParseLines(string text)
    {
        // Lines before the first Host apply to every host: a block with the pattern "*".
        var current = new Block(["*"], matchesNothing: false);
        _blocks.Add(current);
        int lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            int split = line.IndexOfAny(" \t=");
            string keyword = (split < 0 ? line : line[..split]).ToString();
            string argument = split < 0 ? string.Empty : line[(split + 1)..].TrimStart(" \t=").ToString();
            switch (keyword.ToUpperInvariant())
            {
                case "HOST":
                    var patterns = argument.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                    if (patterns.Length == 0)
                    {
                        _warnings.Add($"line {lineNumber}: 'Host' without patterns");
                    }

                    current = new Block([.. patterns.Select(Unquote)], matchesNothing: patterns.Length == 0);
                    _blocks.Add(current);
                    break;
                case "MATCH":
                    _warnings.Add($"line {lineNumber}: 'Match' blocks are not supported; the block is ignored");
                    current = new Block([], matchesNothing: true);
                    _blocks.Add(current);
                    break;
                case "INCLUDE":
                    _warnings.Add($"line {lineNumber}: 'Include' is not supported");
                    break;
                case "HOSTNAME":
                    if (argument.Length == 0)
                    {
                        _warnings.Add($"line {lineNumber}: 'HostName' without a value");
                        break;
                    }

                    current.HostName ??= Unquote(argument);
                    break;
                case "PORT":
                    if (int.TryParse(Unquote(argument), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535)
                    {
                        current.Port ??= port;
                    }
                    else
                    {
                        _warnings.Add($"line {lineNumber}: port '{argument}' is not a number from 1 to 65535");
                    }

                    break;
            }
        }
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;

    private sealed class Block(string[] patterns, bool matchesNothing)
    {
        public string? HostName { get; set; }

        public int? Port { get; set; }

        public bool Matches(string host)
        {
            if (matchesNothing)
            {
                return false;
            }

            bool matched = false;
            foreach (string pattern in patterns)
            {
                bool negated = pattern.StartsWith('!');
                if (Glob(negated ? pattern.AsSpan(1) : pattern, host))
                {
                    if (negated)
                    {
                        return false;
                    }

                    matched = true;
                }
            }

            return matched;
        }

        // ssh's match_pattern: '*' matches any run, '?' one character, case-insensitively.
        private static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
        {
            int p = 0, t = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}
