using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DualStack.Cli;

/// <summary><c>--tls [--ca FILE] [--insecure]</c>: a TLS handshake whose certificate is checked against HOST.</summary>
internal sealed class TlsClientOption
{
    /// <param name="description">What <c>--tls</c> does in the command that takes it.</param>
    public TlsClientOption(string description)
    {
        Tls = new Option<bool>("--tls") { Description = description };
    }

    public Option<bool> Tls { get; }

    public Option<bool> Insecure { get; } = new("--insecure") { Description = "With --tls: accept any certificate (unsafe: anyone on the path can impersonate the server)" };

    public Option<string?> Ca { get; } = new("--ca") { HelpName = "FILE", Description = "With --tls: trust only the certificate authorities in this PEM file" };

    /// <summary>The three options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Tls, Insecure, Ca];

    /// <summary>How to make the handshake, or <see langword="null"/> without <c>--tls</c>.</summary>
    /// <exception cref="ArgumentException"><c>--insecure</c> or <c>--ca</c> without <c>--tls</c>, or a <c>--ca</c> file without a readable PEM certificate.</exception>
    public TlsClientOptions? Parse(ParseResult parseResult)
    {
        if (!parseResult.GetValue(Tls))
        {
            return parseResult.GetValue(Insecure) || parseResult.GetValue(Ca) is not null
                ? throw new ArgumentException("--insecure and --ca apply to --tls")
                : null;
        }

        if (parseResult.GetValue(Insecure))
        {
            Cli.Warn("--insecure: the server's certificate is not checked, so anyone on the path can pretend to be the server");
        }

        return new TlsClientOptions
        {
            UnsafeSkipCertificateValidation = parseResult.GetValue(Insecure),
            TrustedRoots = parseResult.GetValue(Ca) is { } caFile ? ReadCertificateAuthorities(caFile) : null,
        };
    }

    private static X509Certificate2Collection ReadCertificateAuthorities(string file)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"--ca {file}: {e.Message}", e);
        }

        return roots.Count > 0 ? roots : throw new ArgumentException($"--ca {file}: no PEM certificate in the file");
    }
}
