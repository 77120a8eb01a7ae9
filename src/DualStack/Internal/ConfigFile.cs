using System.Globalization;
using System.Text;

namespace DualStack.Internal;

// <summary>Reads a hosts or ssh_config file whole, up to a size no such file honestly reaches.</summary>
// <remarks>
// Without a cap, naming the wrong file (a disk image, <c>/dev/zero</c>) would read until memory runs out. The largest
// hosts files in use, block lists, are a few MB; 16 MiB leaves room for them. The length is counted while reading,
// not taken from the file system, so that devices and pipes are capped too.
// </remarks>
internal static class ConfigFile
{
    public const int MaxBytes = 16 * 1024 * 1024;

    // <exception cref="IOException">The file cannot be read, or is larger than <see cref="MaxBytes"/>.</exception>
    public static async Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken)
    {
        var content = new MemoryStream();
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (content.Length + read > MaxBytes)
                {
                    throw new IOException(string.Create(
                        CultureInfo.InvariantCulture, $"'{path}' is larger than {MaxBytes / (1024 * 1024)} MiB, the most a hosts or ssh_config file may be"));
                }

                content.Write(buffer, 0, read);
            }
        }

        // As File.ReadAllText: UTF-8 unless a byte-order mark says otherwise.
        content.Position = 0;
        using var reader = new StreamReader(content, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
