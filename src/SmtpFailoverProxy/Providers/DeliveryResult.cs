namespace SmtpFailoverProxy.Providers;

/// <summary>The outcome of one attempt at one provider.</summary>
/// <param name="Provider">The provider that answered.</param>
/// <param name="Class">What the outcome says about the provider (see <see cref="OutcomeClass"/>).</param>
/// <param name="Recipients">Each recipient's outcome.</param>
/// <param name="ProviderMessageId">The upstream's id for the message (SES MessageId), when it gave one.</param>
public sealed record DeliveryResult(string Provider, OutcomeClass Class, IReadOnlyList<RecipientResult> Recipients, string? ProviderMessageId = null)
{
    /// <summary>The same reply for every recipient.</summary>
    public static DeliveryResult ForAll(string provider, OutcomeClass outcome, IReadOnlyList<string> recipients, RecipientStatus status, UpstreamReply reply, string? providerMessageId = null) =>
        new(provider, outcome, recipients.Select(r => new RecipientResult(r, status, reply)).ToArray(), providerMessageId);

    /// <summary>The reply to show for the attempt as a whole: the first non-delivered one, else the first.</summary>
    public UpstreamReply SummaryReply =>
        (Recipients.FirstOrDefault(r => r.Status != RecipientStatus.Delivered) ?? Recipients[0]).Reply;
}
