using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>A self-signed certificate for 127.0.0.1 written as PEM files, for the TLS tests.</summary>
internal static class TestCertificate
{
    public static (string CertificatePath, string KeyPath) WritePem(string directory)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=proxy.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("proxy.test");
        request.CertificateExtensions.Add(names.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var certificatePath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>
    /// A private CA's chain: root, intermediate, and a leaf for 127.0.0.1 signed by the intermediate. The
    /// server's file holds the leaf then the intermediate (what a server presents); the root goes alone to
    /// <c>root.pem</c>, as an operator would trust it.
    /// </summary>
    public static (string CertificatePath, string KeyPath, string RootPath) WriteChainPem(string directory)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var rootKey = RSA.Create(2048);
        using var root = CaRequest("CN=Test Root CA", rootKey).CreateSelfSigned(now.AddDays(-2), now.AddDays(60));

        using var intermediateKey = RSA.Create(2048);
        using var intermediatePublic = CaRequest("CN=Test Intermediate CA", intermediateKey).Create(root, now.AddDays(-1), now.AddDays(45), [1]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=upstream.test", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var leaf = leafRequest.Create(intermediate, now.AddDays(-1), now.AddDays(30), [2]);

        var certificatePath = Path.Combine(directory, "chain.pem");
        var keyPath = Path.Combine(directory, "leaf-key.pem");
        var rootPath = Path.Combine(directory, "root.pem");
        File.WriteAllText(certificatePath, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, leafKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(rootPath, root.ExportCertificatePem());
        return (certificatePath, keyPath, rootPath);
    }

    private static CertificateRequest CaRequest(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }
}
