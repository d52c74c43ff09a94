using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// Checks an upstream's TLS certificate: the system's trust store as always, and, when
/// <c>TrustedCertificate</c> names a PEM file, its certificates as further roots (a private relay's own
/// CA, or a self-signed test server). The host name must match either way.
/// </summary>
internal static class UpstreamCertificateValidation
{
    /// <summary>Null (the platform's default check) when there is nothing more to trust.</summary>
    public static RemoteCertificateValidationCallback? Create(X509Certificate2Collection roots)
    {
        if (roots.Count == 0) return null;
        return (_, certificate, presented, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // The intermediates the server sent, so that a file holding only the private root is enough.
            if (presented is not null)
            {
                foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(leaf);
        };
    }
}
