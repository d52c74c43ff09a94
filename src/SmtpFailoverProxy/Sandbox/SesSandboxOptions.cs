using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>The local SES-compatible endpoint. Section <c>SesSandbox</c>.</summary>
public sealed class SesSandboxOptions
{
    /// <summary>Address and port. <value>The default value is <c>127.0.0.1:4566</c>.</value></summary>
    public string Listen { get; set; } = "127.0.0.1:4566";

    /// <summary>Folder where sent messages land as ID.eml and ID.json. <value>The default value is <c>./ses-sandbox</c>.</value></summary>
    public string Path { get; set; } = "./ses-sandbox";

    /// <summary>
    /// Whether each sent message is kept in <see cref="Path"/>. Off, a send is still checked, counted
    /// (<c>GET /_sandbox</c>'s <c>Sent</c>) and answered as SES answers it, and nothing is written: a peer
    /// that keeps nothing, as <c>smtp-sink</c> is for SMTP, for load tests.
    /// <value>The default value is <see langword="true"/>.</value>
    /// </summary>
    public bool Store { get; set; } = true;

    /// <summary>The only access key the sandbox accepts. <value>The default value is <c>sandbox</c>.</value></summary>
    public string AccessKeyId { get; set; } = "sandbox";

    /// <summary>Its secret; requests must be SigV4-signed with it. <value>The default value is <c>sandbox-secret</c>.</value></summary>
    public string SecretAccessKey { get; set; } = "sandbox-secret";

    /// <summary>MaxSendRate reported by GetAccount. <value>The default value is 14.</value></summary>
    public double MaxSendRate { get; set; } = 14;

    /// <summary>Max24HourSend reported by GetAccount. <value>The default value is 50000.</value></summary>
    public double Max24HourSend { get; set; } = 50000;

    internal System.Net.IPEndPoint ListenEndPoint => EndPointParser.Parse(Listen, "SesSandbox:Listen");

    internal void Validate()
    {
        _ = ListenEndPoint;
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Path), "SesSandbox:Path", "must name a folder");
        ConfigurationException.ThrowIf(string.IsNullOrEmpty(AccessKeyId) || string.IsNullOrEmpty(SecretAccessKey), "SesSandbox:AccessKeyId", "and SecretAccessKey are required");
        ConfigurationException.ThrowIf(MaxSendRate <= 0, "SesSandbox:MaxSendRate", "must be positive");
    }
}
