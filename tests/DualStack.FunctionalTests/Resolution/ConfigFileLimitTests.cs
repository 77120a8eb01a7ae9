using System.Net.Sockets;
using DualStack.Tests.Shared;

namespace DualStack.FunctionalTests.Resolution;

/// <summary>Hosts and ssh_config files are read whole, up to 16 MiB: a larger file (a wrong path) is refused, not read.</summary>
public sealed class ConfigFileLimitTests
{
    private const int Limit = 16 * 1024 * 1024;

    [Fact]
    public async Task HostsFile_LargerThanTheLimit_IsRefusedWithAnIOExceptionNamingIt()
    {
        using var directory = new TempDirectory();
        string path = WriteComments(directory.File("hosts"), Limit + 1);

        var e = await Assert.ThrowsAsync<IOException>(() => HostsFileResolver.LoadAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("16 MiB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SshConfig_LargerThanTheLimit_IsRefusedWithAnIOExceptionNamingIt()
    {
        using var directory = new TempDirectory();
        string path = WriteComments(directory.File("ssh_config"), Limit + 1);

        var e = await Assert.ThrowsAsync<IOException>(() => SshConfigResolver.LoadAsync(path, SystemResolver.Instance, TestContext.Current.CancellationToken));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostsFile_AtTheLimit_IsRead()
    {
        using var directory = new TempDirectory();
        string path = directory.File("hosts");
        const string Entry = "192.0.2.7 limit.test\n";
        WriteComments(path, Limit - Entry.Length);
        await File.AppendAllTextAsync(path, Entry, TestContext.Current.CancellationToken);

        var resolver = await HostsFileResolver.LoadAsync(path, TestContext.Current.CancellationToken);

        var answer = await resolver.ResolveAsync("limit.test", 80, AddressFamily.InterNetwork, TestContext.Current.CancellationToken);
        Assert.Equal("192.0.2.7", Assert.Single(answer.EndPoints).Address.ToString());
    }

    // A file of comment lines, exactly `length` bytes long, ending in a newline.
    private static string WriteComments(string path, int length)
    {
        var line = new string('#', 1023) + "\n";
        using var file = File.Create(path);
        var bytes = System.Text.Encoding.ASCII.GetBytes(line);
        int written = 0;
        while (written + bytes.Length <= length)
        {
            file.Write(bytes);
            written += bytes.Length;
        }

        // The rest as one shorter comment line, ending in a newline like the others.
        if (length > written)
        {
            file.Write(bytes, 0, length - written - 1);
            file.WriteByte((byte)'\n');
        }

        return path;
    }
}
