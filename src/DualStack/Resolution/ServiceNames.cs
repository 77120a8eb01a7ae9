using System.Globalization;

namespace DualStack;

// <summary>Service names and ports from <c>/etc/services</c> (<c>http 80/tcp www</c>).</summary>
// <remarks>
// Read once, on first use. Where the file is missing (it comes with Debian's <c>netbase</c>), a few well-known
// services are known anyway, so that <c>http</c> still means 80.
// </remarks>
internal static class ServiceNames
{
    private const string ServicesPath = "/etc/services";

    private static readonly Lazy<Table> s_table = new(Load);

    public static bool TryGetPort(string name, string protocol, out int port) =>
        s_table.Value.Ports.TryGetValue((name, protocol), out port);

    public static string? GetName(int port, string protocol) =>
        s_table.Value.Names.GetValueOrDefault((port, protocol));

    internal static Table Parse(string text)
    {
        var table = new Table();
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var fields = line.ToString().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            int slash = fields[1].IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0
                || !int.TryParse(fields[1].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
                || port > 65535)
            {
                continue;
            }

            string protocol = fields[1][(slash + 1)..];
            table.Names.TryAdd((port, protocol), fields[0]);
            foreach (string name in fields.Where((_, i) => i != 1))
            {
                table.Ports.TryAdd((name, protocol), port);
            }
        }

        return table;
    }

    private static Table Load()
    {
        try
        {
            return Parse(File.ReadAllText(ServicesPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Parse("""
                ftp 21/tcp
                ssh 22/tcp
                telnet 23/tcp
                smtp 25/tcp mail
                domain 53/tcp
                domain 53/udp
                http 80/tcp www
                pop3 110/tcp
                ntp 123/udp
                imap 143/tcp
                https 443/tcp
                https 443/udp
                submission 587/tcp
                imaps 993/tcp
                mdns 5353/udp
                """);
        }
    }

    internal sealed class Table
    {
        public Dictionary<(string Name, string Protocol), int> Ports { get; } = [];

        public Dictionary<(int Port, string Protocol), string> Names { get; } = [];
    }
}
