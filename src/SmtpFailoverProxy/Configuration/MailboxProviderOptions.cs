namespace SmtpFailoverProxy.Configuration;

/// <summary>A local sink (<c>Type: mailbox</c>) that writes each message as an .eml file: no cloud account needed.</summary>
public sealed class MailboxProviderOptions : ProviderOptionsBase
{
    /// <summary>The provider type: <c>mailbox</c>.</summary>
    public string Type { get; set; } = "mailbox";

    /// <summary>Folder for the .eml files. <value>The default value is <c>./mailbox</c>.</value></summary>
    public string Path { get; set; } = "./mailbox";

    private protected override void ValidateType(string key) =>
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Path), $"{key}:Path", "must name a folder");
}
