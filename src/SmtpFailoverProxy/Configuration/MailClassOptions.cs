namespace SmtpFailoverProxy.Configuration;

/// <summary>Rules that give each message its mail class. Section <c>MailClasses</c>.</summary>
/// <remarks>
/// In order: an <c>X-Mail-Class</c> header decides (and is removed); a sender in <see cref="BulkSenders"/>
/// or <see cref="TransactionalSenders"/>; <c>Precedence: bulk|list|junk</c> or <c>List-Unsubscribe</c>, or
/// more than <see cref="BulkRecipientThreshold"/> recipients, make it bulk; a subject with one of
/// <see cref="CriticalSubjectKeywords"/> makes it critical; anything else is transactional.
/// </remarks>
public sealed class MailClassOptions
{
    /// <summary>Sender addresses or @domains whose mail is bulk. <value>The default value is empty.</value></summary>
    public List<string> BulkSenders { get; set; } = [];

    /// <summary>Sender addresses or @domains whose mail is transactional. <value>The default value is empty.</value></summary>
    public List<string> TransactionalSenders { get; set; } = [];

    /// <summary>Subject words that make mail critical. <value>The default value is password, reset, verification, one-time, OTP, login code, 2FA, sign-in.</value></summary>
    public List<string> CriticalSubjectKeywords { get; set; } = ["password", "reset", "verification", "one-time", "OTP", "login code", "2FA", "sign-in"];

    /// <summary>More recipients than this make a message bulk. <value>The default value is 10.</value></summary>
    public int BulkRecipientThreshold { get; set; } = 10;

    internal void Validate() =>
        ConfigurationException.ThrowIf(BulkRecipientThreshold < 1, "MailClasses:BulkRecipientThreshold", "must be at least 1");
}
