using System.Security.Cryptography.X509Certificates;

namespace SmtpFailoverProxy.Security;

/// <summary>
/// The server certificate for STARTTLS and implicit TLS, from PEM files (certificate and key) or a PFX,
/// loaded again whenever a file's modification time changes (certificate renewal without restart).
/// </summary>
internal sealed class TlsCertificateSource(string certificatePath, string? keyPath, string? pfxPassword)
{
    private readonly Lock _lock = new();
    private X509Certificate2? _certificate;
    private DateTime _loadedStamp;

    public X509Certificate2 Current
    {
        get
        {
            lock (_lock)
            {
                var stamp = Stamp();
                if (_certificate is null || stamp != _loadedStamp)
                {
                    _certificate = Load();
                    _loadedStamp = stamp;
                }

                return _certificate;
            }
        }
    }

    private DateTime Stamp()
    {
        var stamp = File.GetLastWriteTimeUtc(certificatePath);
        if (keyPath is not null)
        {
            var keyStamp = File.GetLastWriteTimeUtc(keyPath);
            if (keyStamp > stamp) stamp = keyStamp;
        }

        return stamp;
    }

    private X509Certificate2 Load()
    {
        if (certificatePath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || certificatePath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, pfxPassword);
        }

        // Through PKCS#12 so that SslStream on Linux gets a key it can use.
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
