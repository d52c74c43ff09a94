namespace SmtpFailoverProxy.Inbound;

/// <summary>The header fields, read while receiving, that decide a message's mail class.</summary>
/// <param name="MailClass">X-Mail-Class (removed before relaying): transactional, bulk or critical.</param>
/// <param name="Precedence">Precedence (bulk, list, junk mark bulk mail).</param>
/// <param name="HasListUnsubscribe">A List-Unsubscribe field is present (RFC 2369: mailing-list mail).</param>
/// <param name="Subject">The first line of the Subject.</param>
internal sealed record MessageHeaderSummary(string? MailClass, string? Precedence, bool HasListUnsubscribe, string? Subject)
{
    /// <summary>The domain of the first address in From, when there is one that parses.</summary>
    public string? FromDomain { get; init; }
}
