namespace SmtpFailoverProxy.Configuration;

/// <summary>How to secure the connection to an upstream SMTP server.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text (only for a server on the same host or network).</summary>
    None,

    /// <summary>STARTTLS after connecting (port 587), required.</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    Implicit,
}

/// <summary>What to do with a From address the upstream will not send as.</summary>
public enum FromPolicy
{
    /// <summary>Send the message as it is.</summary>
    Keep,

    /// <summary>Put <see cref="SmtpProviderOptions.RewriteFromAddress"/> in From (keeping the display name) and the original From in Reply-To.</summary>
    Rewrite,
}

/// <summary>An upstream SMTP server (<c>Type: smtp</c>), such as smtp.gmail.com or SES's SMTP interface.</summary>
public sealed class SmtpProviderOptions : ProviderOptionsBase
{
    /// <summary>The provider type: <c>smtp</c>.</summary>
    public string Type { get; set; } = "smtp";

    /// <summary>Host name of the server, e.g. <c>smtp.gmail.com</c>. Required.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>Port. <value>The default value is 587 for StartTls, 465 for Implicit, 25 for None.</value></summary>
    public int? Port { get; set; }

    /// <summary>Transport security. <value>The default value is <c>StartTls</c>.</value></summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>
    /// A PEM file of certificates to trust for this server besides the system's store: a private relay's CA,
    /// or a test server's self-signed certificate. The host name must still match. <value>The default value is none.</value>
    /// </summary>
    public string? TrustedCertificate { get; set; }

    /// <summary>User for AUTH; empty for no authentication.</summary>
    public string? Username { get; set; }

    /// <summary>Password for AUTH (a Gmail app password). Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>An OAuth2 access token for XOAUTH2 instead of a password. Never logged.</summary>
    public string? OAuth2Token { get; set; }

    /// <summary>Timeout of each network operation. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections kept open and reused. <value>The default value is 4 (1 to 64).</value></summary>
    public int MaxConnections { get; set; } = 4;

    /// <summary>
    /// From addresses this account may send as (Gmail "send mail as" aliases, or @domain); a message from one
    /// of them is relayed untouched. <value>The default value is empty.</value>
    /// </summary>
    public List<string> SendAsAliases { get; set; } = [];

    /// <summary>For other From addresses. <value>The default value is <c>Keep</c>; <c>Rewrite</c> suits Gmail, which otherwise rewrites From itself.</value></summary>
    public FromPolicy FromPolicy { get; set; } = FromPolicy.Keep;

    /// <summary>The address put in From by <c>Rewrite</c>. <value>The default value is <see cref="Username"/>.</value></summary>
    public string? RewriteFromAddress { get; set; }

    internal string? EffectiveRewriteFromAddress => string.IsNullOrEmpty(RewriteFromAddress) ? Username : RewriteFromAddress;

    internal int EffectivePort => Port ?? Security switch
    {
        SmtpSecurity.Implicit => 465,
        SmtpSecurity.None => 25,
        _ => 587,
    };

    /// <summary>The certificates of <see cref="TrustedCertificate"/> (empty when none is set).</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadTrustedCertificates()
    {
        var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        if (!string.IsNullOrEmpty(TrustedCertificate)) certificates.ImportFromPemFile(TrustedCertificate);
        return certificates;
    }

    private void ValidateTrustedCertificate(string key)
    {
        if (string.IsNullOrEmpty(TrustedCertificate)) return;
        ConfigurationException.ThrowIf(!File.Exists(TrustedCertificate), key, $"file '{TrustedCertificate}' not found");
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection certificates;
        try
        {
            certificates = LoadTrustedCertificates();
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ConfigurationException(key, $"file '{TrustedCertificate}' is not PEM certificates: {ex.Message}");
        }

        ConfigurationException.ThrowIf(certificates.Count == 0, key, $"file '{TrustedCertificate}' holds no PEM certificate");
    }

    private protected override void ValidateType(string key)
    {
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Host), $"{key}:Host", "is required (e.g. smtp.gmail.com)");
        ConfigurationException.ThrowIf(Port is < 1 or > 65535, $"{key}:Port", "must be between 1 and 65535");
        ValidateTrustedCertificate($"{key}:TrustedCertificate");
        ConfigurationException.ThrowIf(Timeout <= TimeSpan.Zero, $"{key}:Timeout", "must be a positive duration such as \"00:00:30\"");
        ConfigurationException.ThrowIf(MaxConnections is < 1 or > 64, $"{key}:MaxConnections", "must be between 1 and 64");
        ConfigurationException.ThrowIf(!string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(Username), $"{key}:Username", "is required when a Password is set");
        ConfigurationException.ThrowIf(FromPolicy == FromPolicy.Rewrite && string.IsNullOrEmpty(EffectiveRewriteFromAddress), $"{key}:RewriteFromAddress",
            "is required for FromPolicy Rewrite (or set Username)");
    }
}
