using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DualStack;

// <summary>
// One handshake's certificate validation callback: lets the platform's verdict stand (or skips it when asked) and
// remembers why it failed, so that the exception can say "expired on …" instead of "remote certificate is invalid".
// </summary>
internal sealed class TlsCertificateCheck(string targetHost, bool skip)
{
    public SslPolicyErrors Errors { get; private set; }

    public string? Reason { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (skip)
        {
            return true;
        }

        Errors = errors;
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        Reason = Describe(errors, certificate as X509Certificate2, chain);
        return false;
    }

    private string Describe(SslPolicyErrors errors, X509Certificate2? certificate, X509Chain? chain)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || certificate is null)
        {
            return "the server sent no certificate";
        }

        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            reasons.Add("the certificate is not trusted: " + DescribeChain(chain));
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add($"the certificate is not valid for '{targetHost}' (it is for {NamesOf(certificate)})");
        }

        return string.Join("; ", reasons);
    }

    private static string DescribeChain(X509Chain? chain)
    {
        if (chain is null)
        {
            return "no chain could be built";
        }

        var found = new List<string>();
        foreach (var element in chain.ChainElements)
        {
            foreach (var status in element.ChainElementStatus)
            {
                string text = status.Status switch
                {
                    // The platform checks dates against the real clock, so the explanation does too.
                    X509ChainStatusFlags.NotTimeValid when element.Certificate.NotAfter.ToUniversalTime() < TimeProvider.System.GetUtcNow().UtcDateTime =>
                        $"{Subject(element.Certificate)} expired on {Utc(element.Certificate.NotAfter)}",
                    X509ChainStatusFlags.NotTimeValid =>
                        $"{Subject(element.Certificate)} is not valid before {Utc(element.Certificate.NotBefore)}",
                    X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain =>
                        $"{Subject(element.Certificate)} does not chain to a trusted root",
                    _ => $"{Subject(element.Certificate)}: {status.StatusInformation.Trim()} ({status.Status})",
                };
                if (!found.Contains(text))
                {
                    found.Add(text);
                }
            }
        }

        if (found.Count == 0)
        {
            found.AddRange(chain.ChainStatus.Select(status => $"{status.StatusInformation.Trim()} ({status.Status})"));
        }

        return found.Count == 0 ? "the chain is not valid" : string.Join(", ", found);
    }

    private static string NamesOf(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(IPLiteral.FormatAddress));
            }
        }

        if (names.Count == 0)
        {
            names.Add(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }

        return string.Join(", ", names);
    }

    private static string Subject(X509Certificate2 certificate) => $"'{certificate.Subject}'";

    private static string Utc(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
