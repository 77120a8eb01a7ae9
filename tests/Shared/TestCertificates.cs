using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DualStack.Tests.Shared;

/// <summary>
/// A private certificate authority made inside the test with <see cref="CertificateRequest"/>: a root, and leaf
/// certificates it signs for DNS names and IP addresses, valid now or at any other time. Nothing touches a store.
/// </summary>
/// <remarks>P-256 keys: quick to make, and accepted by every TLS stack the tests talk to (SslStream, OpenSSL).</remarks>
public sealed class TestCertificates : IDisposable
{
    private readonly List<X509Certificate2> _issued = [];

    public TestCertificates(string name = "DualStack Test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 1, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = TimeProvider.System.GetUtcNow();
        // Valid long before now, so that it can issue certificates that have already expired.
        Root = request.CreateSelfSigned(now.AddYears(-1), now.AddYears(1));
    }

    /// <summary>The self-signed root, with its private key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The root alone, as a trust store.</summary>
    public X509Certificate2Collection Roots => [Root];

    /// <summary>A server certificate (with its key) for <paramref name="names"/>: DNS names, and IP literals put in IP address entries.</summary>
    public X509Certificate2 Issue(params string[] names) => Issue(names, TimeSpan.FromDays(-1), TimeSpan.FromDays(30));

    /// <summary>A server certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>, relative to now.</summary>
    public X509Certificate2 Issue(string[] names, TimeSpan notBefore, TimeSpan notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var now = TimeProvider.System.GetUtcNow();
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Root, now + notBefore, now + notAfter, serial);
        var leaf = issued.CopyWithPrivateKey(key);
        lock (_issued)
        {
            _issued.Add(leaf);
        }

        return leaf;
    }

    /// <summary>Writes the root, and a certificate with its key, as PEM files in <paramref name="directory"/>.</summary>
    /// <returns>The paths: the root's certificate, the leaf's certificate, the leaf's private key.</returns>
    public (string Root, string Certificate, string Key) WritePem(string directory, X509Certificate2 leaf, string prefix = "server")
    {
        string root = Path.Combine(directory, "ca.pem");
        string certificate = Path.Combine(directory, prefix + ".pem");
        string key = Path.Combine(directory, prefix + ".key");
        File.WriteAllText(root, Root.ExportCertificatePem());
        File.WriteAllText(certificate, leaf.ExportCertificatePem());
        using var privateKey = leaf.GetECDsaPrivateKey()!;
        File.WriteAllText(key, privateKey.ExportPkcs8PrivateKeyPem());
        return (root, certificate, key);
    }

    public void Dispose()
    {
        lock (_issued)
        {
            foreach (var certificate in _issued)
            {
                certificate.Dispose();
            }
        }

        Root.Dispose();
    }
}
