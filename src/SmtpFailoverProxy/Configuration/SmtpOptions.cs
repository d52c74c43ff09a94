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

    internal IPEndPoint ListenEndPoint => EndPointParser.Parse(Listen, "Smtp:Listen");

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
        for (var i = 0; i < AllowedSenderDomains.Count; i++)
        {
            ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(AllowedSenderDomains[i]) || AllowedSenderDomains[i].Contains('@'),
                $"Smtp:AllowedSenderDomains:{i}", "must be a domain such as example.com");
        }
    }

    internal bool IsSenderDomainAllowed(string domain) =>
        AllowedSenderDomains.Count == 0 || AllowedSenderDomains.Any(d => d.Equals(domain, StringComparison.OrdinalIgnoreCase));
}
