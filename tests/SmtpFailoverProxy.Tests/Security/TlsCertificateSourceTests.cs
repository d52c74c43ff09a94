using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmtpFailoverProxy.Security;

namespace SmtpFailoverProxy.Tests.Security;

public sealed class TlsCertificateSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sfp-cert").FullName;

    private (string Cert, string Key) Write(string subject, DateTime stamp)
    {
        using var key = RSA.Create(2048);
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var (cert, keyPath) = (Path.Combine(_folder, "cert.pem"), Path.Combine(_folder, "key.pem"));
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.SetLastWriteTimeUtc(cert, stamp);
        File.SetLastWriteTimeUtc(keyPath, stamp);
        return (cert, keyPath);
    }

    [Fact]
    public void Loads_PEM_with_a_usable_private_key_and_reloads_when_the_files_change()
    {
        var (cert, key) = Write("first.test", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var source = new TlsCertificateSource(cert, key, null);

        var first = source.Current;
        Assert.Equal("CN=first.test", first.Subject);
        Assert.True(first.HasPrivateKey);
        Assert.Same(first, source.Current);

        Write("renewed.test", new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal("CN=renewed.test", source.Current.Subject);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
