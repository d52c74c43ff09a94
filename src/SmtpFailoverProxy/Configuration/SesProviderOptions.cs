namespace SmtpFailoverProxy.Configuration;

/// <summary>Amazon SES through the SESv2 API (<c>Type: ses</c>).</summary>
public sealed class SesProviderOptions : ProviderOptionsBase
{
    /// <summary>The provider type: <c>ses</c>.</summary>
    public string Type { get; set; } = "ses";

    /// <summary>AWS region, e.g. <c>ap-northeast-2</c> (also <c>SES_REGION</c>). Required.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>Endpoint override (the local sandbox, a VPC endpoint). <value>The default value is <c>https://email.REGION.amazonaws.com</c>.</value></summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Access key id; when empty, AWS's default credential chain is used (environment, profile, SSO, web identity, ECS, EC2).</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Secret access key, with <see cref="AccessKeyId"/>. Never logged.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>SES configuration set for event publishing; none when empty.</summary>
    public string? ConfigurationSetName { get; set; }

    /// <summary>FromEmailAddress of SendEmail; when empty SES takes it from the message's From header.</summary>
    public string? FromEmailAddress { get; set; }

    /// <summary>Message tags (EmailTags) added to every send.</summary>
    public Dictionary<string, string> EmailTags { get; set; } = [];

    /// <summary>Messages (recipients) per second; overrides the account's MaxSendRate. <value>The default value is none: read from GetAccount.</value></summary>
    public double? MaxSendRate { get; set; }

    /// <summary>Rate used until GetAccount has answered. <value>The default value is 1 per second (SES's sandbox rate).</value></summary>
    public double FallbackSendRate { get; set; } = 1;

    /// <summary>How often the account's send rate is read again. <value>The default value is 5 minutes.</value></summary>
    public TimeSpan AccountRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one API call. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    internal Uri Endpoint => new(string.IsNullOrEmpty(ServiceUrl) ? $"https://email.{Region}.amazonaws.com" : ServiceUrl);

    private protected override void ValidateType(string key)
    {
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Region), $"{key}:Region", "is required (e.g. ap-northeast-2; or set SES_REGION)");
        ConfigurationException.ThrowIf(!string.IsNullOrEmpty(ServiceUrl) && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _), $"{key}:ServiceUrl", $"'{ServiceUrl}' is not an absolute URL");
        ConfigurationException.ThrowIf(string.IsNullOrEmpty(AccessKeyId) != string.IsNullOrEmpty(SecretAccessKey), $"{key}:SecretAccessKey", "AccessKeyId and SecretAccessKey go together");
        ConfigurationException.ThrowIf(MaxSendRate is <= 0, $"{key}:MaxSendRate", "must be positive");
        ConfigurationException.ThrowIf(FallbackSendRate <= 0, $"{key}:FallbackSendRate", "must be positive");
        ConfigurationException.ThrowIf(AccountRefreshInterval <= TimeSpan.Zero, $"{key}:AccountRefreshInterval", "must be a positive duration");
        ConfigurationException.ThrowIf(Timeout <= TimeSpan.Zero, $"{key}:Timeout", "must be a positive duration");
    }
}
