using System.Net;

namespace SmtpFailoverProxy.Configuration;

/// <summary>The inbound SMTP listener. Section <c>Smtp</c>.</summary>
public sealed class SmtpOptions
{
    /// <summary>Address and port to listen on. <value>The default value is <c>127.0.0.1:2525</c>.</value></summary>
    public string Listen { get; set; } = "127.0.0.1:2525";

    /// <summary>Name in the greeting and in Received headers. <value>The default value is the machine's host name.</value></summary>
    public string Hostname { get; set; } = Dns.GetHostName();

    /// <summary>Largest message accepted, in octets (RFC 1870 SIZE). <value>The default value is 26214400 (25 MiB, Gmail's limit).</value></summary>
    public long MaxMessageSize { get; set; } = 25 * 1024 * 1024;

    /// <summary>Recipients per message. <value>The default value is 50, the SES limit per SendEmail (1 to 1000).</value></summary>
    public int MaxRecipients { get; set; } = 50;

    /// <summary>Wait for a command line. <value>The default value is 5 minutes (RFC 5321 4.5.3.2.7).</value></summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Wait for each block of DATA. <value>The default value is 3 minutes (RFC 5321 4.5.3.2.5).</value></summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Concurrent client connections; more get 421. <value>The default value is 1000.</value></summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Bad commands in one session before 421 and close. <value>The default value is 10.</value></summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>Sender domains allowed in MAIL FROM; empty allows any. <value>The default value is empty.</value></summary>
    public List<string> AllowedSenderDomains { get; set; } = [];

    /// <summary>Networks (CIDR) whose clients may relay without AUTH; others must authenticate. <value>The default value is loopback only: 127.0.0.0/8 and ::1/128.</value></summary>
    public List<string> AllowedClients { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>Every client must authenticate, allowed network or not. <value>The default value is false.</value></summary>
    public bool RequireAuth { get; set; }

    /// <summary>AUTH users: name -> salted hash from <c>smtp-proxy hash-password</c>. <value>The default value is none.</value></summary>
    public Dictionary<string, string> Users { get; set; } = [];

    /// <summary>Offer AUTH without TLS to loopback clients (elsewhere AUTH needs TLS). <value>The default value is true.</value></summary>
    public bool AllowPlaintextAuthOnLoopback { get; set; } = true;

    /// <summary>Server certificate for STARTTLS and implicit TLS: a PEM file (with <see cref="TlsKey"/>) or a .pfx. <value>The default value is none: no TLS.</value></summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertificate"/> (when not in the same file).</summary>
    public string? TlsKey { get; set; }

    /// <summary>The password of a .pfx <see cref="TlsCertificate"/>. Never logged.</summary>
    public string? TlsPfxPassword { get; set; }

    /// <summary>A second listener speaking TLS from the first byte (port 465 style), e.g. <c>127.0.0.1:4650</c>. <value>The default value is none.</value></summary>
    public string? ImplicitTlsListen { get; set; }

    /// <summary>Failed AUTH attempts from one address within <see cref="AuthFailureWindow"/> before it is blocked. <value>The default value is 5.</value></summary>
    public int MaxAuthFailures { get; set; } = 5;

    /// <summary>The window of <see cref="MaxAuthFailures"/>, also how long a block lasts. <value>The default value is 15 minutes.</value></summary>
    public TimeSpan AuthFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Pause before answering a failed AUTH (slows guessing). <value>The default value is 1 second.</value></summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Open connections from one address; more get 421. <value>The default value is 100.</value></summary>
    public int MaxConnectionsPerClient { get; set; } = 100;

    /// <summary>DATA transfers in progress at once; more get 451 and retry. <value>The default value is 200.</value></summary>
    public int MaxConcurrentData { get; set; } = 200;

    /// <summary>Slowest DATA accepted, in octets per second, once <see cref="MinDataRateGrace"/> has passed (slowloris). <value>The default value is 1024.</value></summary>
    public int MinDataRate { get; set; } = 1024;

    /// <summary>How long a DATA transfer may be slow before <see cref="MinDataRate"/> applies. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan MinDataRateGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages one address may send per minute; 0 for no limit. <value>The default value is 0.</value></summary>
    public int MaxMessagesPerClientPerMinute { get; set; }

    /// <summary>Recipients one address may name per minute; 0 for no limit. <value>The default value is 0.</value></summary>
    public int MaxRecipientsPerClientPerMinute { get; set; }

    /// <summary>Largest header section accepted, in octets. <value>The default value is 262144 (256 KiB).</value></summary>
    public int MaxHeaderSize { get; set; } = 256 * 1024;

    internal IPEndPoint ListenEndPoint => EndPointParser.Parse(Listen, "Smtp:Listen");

    internal IPEndPoint? ImplicitTlsEndPoint => string.IsNullOrEmpty(ImplicitTlsListen) ? null : EndPointParser.Parse(ImplicitTlsListen, "Smtp:ImplicitTlsListen");

    internal void Validate()
    {
        _ = ListenEndPoint;
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Hostname) || Hostname.Any(char.IsWhiteSpace), "Smtp:Hostname", "must be a host name without spaces");
        ConfigurationException.ThrowIf(MaxMessageSize < 1024, "Smtp:MaxMessageSize", "must be at least 1024 octets");
        ConfigurationException.ThrowIf(MaxRecipients is < 1 or > 1000, "Smtp:MaxRecipients", "must be between 1 and 1000");
        ConfigurationException.ThrowIf(CommandTimeout <= TimeSpan.Zero, "Smtp:CommandTimeout", "must be a positive duration such as \"00:05:00\"");
        ConfigurationException.ThrowIf(DataTimeout <= TimeSpan.Zero, "Smtp:DataTimeout", "must be a positive duration such as \"00:03:00\"");
        ConfigurationException.ThrowIf(MaxConnections < 1, "Smtp:MaxConnections", "must be at least 1");
        ConfigurationException.ThrowIf(MaxErrors < 1, "Smtp:MaxErrors", "must be at least 1");
        for (var i = 0; i < AllowedClients.Count; i++)
        {
            ConfigurationException.ThrowIf(!IPNetwork.TryParse(AllowedClients[i], out _), $"Smtp:AllowedClients:{i}", $"'{AllowedClients[i]}' is not a network such as 10.0.0.0/8");
        }

        foreach (var (user, hash) in Users)
        {
            ConfigurationException.ThrowIf(!Security.PasswordHasher.IsHash(hash), $"Smtp:Users:{user}", "is not a password hash; make one with: smtp-proxy hash-password");
        }

        ConfigurationException.ThrowIf(TlsCertificate is not null && !File.Exists(TlsCertificate), "Smtp:TlsCertificate", $"file '{TlsCertificate}' not found");
        ConfigurationException.ThrowIf(TlsKey is not null && !File.Exists(TlsKey), "Smtp:TlsKey", $"file '{TlsKey}' not found");
        ConfigurationException.ThrowIf(ImplicitTlsEndPoint is not null && TlsCertificate is null, "Smtp:ImplicitTlsListen", "needs Smtp:TlsCertificate");
        ConfigurationException.ThrowIf(MaxAuthFailures < 1, "Smtp:MaxAuthFailures", "must be at least 1");
        ConfigurationException.ThrowIf(MaxConnectionsPerClient < 1, "Smtp:MaxConnectionsPerClient", "must be at least 1");
        ConfigurationException.ThrowIf(MaxConcurrentData < 1, "Smtp:MaxConcurrentData", "must be at least 1");
        ConfigurationException.ThrowIf(MinDataRate < 0, "Smtp:MinDataRate", "must not be negative (0 turns the check off)");
        ConfigurationException.ThrowIf(MaxMessagesPerClientPerMinute < 0, "Smtp:MaxMessagesPerClientPerMinute", "must not be negative");
        ConfigurationException.ThrowIf(MaxRecipientsPerClientPerMinute < 0, "Smtp:MaxRecipientsPerClientPerMinute", "must not be negative");
        ConfigurationException.ThrowIf(MaxHeaderSize < 1024, "Smtp:MaxHeaderSize", "must be at least 1024 octets");
        ConfigurationException.ThrowIf(AuthFailureWindow <= TimeSpan.Zero, "Smtp:AuthFailureWindow", "must be a positive duration");
        ConfigurationException.ThrowIf(AuthFailureDelay < TimeSpan.Zero, "Smtp:AuthFailureDelay", "must not be negative");
        for (var i = 0; i < AllowedSenderDomains.Count; i++)
        {
            ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(AllowedSenderDomains[i]) || AllowedSenderDomains[i].Contains('@'),
                $"Smtp:AllowedSenderDomains:{i}", "must be a domain such as example.com");
        }
    }

    internal bool IsSenderDomainAllowed(string domain) =>
        AllowedSenderDomains.Count == 0 || AllowedSenderDomains.Any(d => d.Equals(domain, StringComparison.OrdinalIgnoreCase));
}
