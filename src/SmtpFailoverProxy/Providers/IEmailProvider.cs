namespace SmtpFailoverProxy.Providers;

/// <summary>
/// An upstream that takes a message for some recipients: Gmail's SMTP, SES's API, a local mailbox.
/// The router of the delivery path talks only to this.
/// </summary>
public interface IEmailProvider
{
    /// <summary>The provider's name in configuration (<c>Providers:NAME</c>), e.g. <c>ses</c> or <c>gmail</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Relays the message's bytes, unchanged, to its recipients. Does not throw for an upstream refusal
    /// or outage: the result says, per recipient, what became of it, with the upstream's words.
    /// </summary>
    Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken);
}
