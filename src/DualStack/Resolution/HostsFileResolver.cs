using System.Net.Sockets;

using DualStack.Internal;

namespace DualStack;

/// <summary>Resolves names from a file in <c>/etc/hosts</c> syntax.</summary>
/// <remarks>
/// <para>
/// Each line is an address followed by a canonical name and optional aliases; <c>#</c> starts a comment.
/// Addresses may carry a zone (<c>fe80::1%eth0 router</c>). Every line naming a host adds its address, in file
/// order, as the C library's <c>files</c> source does; the first name on the line is reported as the canonical name.
/// </para>
/// <para>
/// Malformed lines (a bad address, an invalid name, an address without names) are skipped and listed in
/// <see cref="Warnings"/>, as the C library skips them. Names not in the file fail with
/// <see cref="ResolutionError.NoSuchName"/>, so the resolver fits in front of another in a <see cref="ChainResolver"/>.
/// The file is read once, by <see cref="LoadAsync"/>; answers are not in connection order.
/// </para>
/// </remarks>
public sealed class HostsFileResolver : IHostResolver
{
    private readonly HostTableResolver _table = new();
    private readonly Dictionary<string, string> _canonical = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _warnings = [];

    private HostsFileResolver()
    {
    }

    /// <summary>The lines that were skipped, each as <c>line N: what is wrong</c>.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Parses hosts-file text.</summary>
    /// <param name="text">The file's content.</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static HostsFileResolver Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var resolver = new HostsFileResolver();
        int lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var fields = line.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 0)
            {
                resolver.AddLine(lineNumber, fields);
            }
        }

        return resolver;
    }

    /// <summary>Reads and parses a hosts file.</summary>
    /// <param name="path">The file, such as <c>/etc/hosts</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The resolver.</returns>
    /// <exception cref="IOException">The file cannot be read, or is larger than 16 MiB.</exception>
    public static async Task<HostsFileResolver> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(await ConfigFile.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async ValueTask<HostAddresses> ResolveAsync(string host, int port, AddressFamily family, CancellationToken cancellationToken = default)
    {
        var answer = await _table.ResolveAsync(host, port, family, cancellationToken).ConfigureAwait(false);
        return new HostAddresses(answer.EndPoints, answer.IsOrdered, _canonical.GetValueOrDefault(host.TrimEnd('.')));
    }

    private void AddLine(int lineNumber, string[] fields)
    {
        if (!IPLiteral.TryParseAddress(fields[0], out var address))
        {
            try
            {
                IPLiteral.ParseAddress(fields[0]);
            }
            catch (EndpointFormatException e)
            {
                _warnings.Add($"line {lineNumber}: {e.Message}");
            }

            return;
        }

        if (fields.Length == 1)
        {
            _warnings.Add($"line {lineNumber}: '{fields[0]}' has no names");
            return;
        }

        string? canonical = null;
        foreach (string name in fields.Skip(1))
        {
            if (!HostName.TryToAscii(name, out string? ascii))
            {
                _warnings.Add($"line {lineNumber}: '{name}' is not a valid host name");
                continue;
            }

            ascii = ascii.TrimEnd('.');
            canonical ??= ascii;
            _table.Add(ascii, address);
            _canonical.TryAdd(ascii, canonical);
        }
    }
}
