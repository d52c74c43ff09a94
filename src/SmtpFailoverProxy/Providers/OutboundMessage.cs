namespace SmtpFailoverProxy.Providers;

/// <summary>A message to relay: the envelope and a way to read its bytes (as many times as needed).</summary>
/// <param name="QueueId">The spool's id, for logs and upstream correlation.</param>
/// <param name="Sender">The reverse-path; empty for the null sender.</param>
/// <param name="Recipients">The recipients still to deliver to.</param>
/// <param name="OpenContent">Opens the raw MIME bytes; the caller disposes the stream.</param>
/// <param name="Size">The length of the raw bytes.</param>
/// <param name="EightBitMime">The client declared BODY=8BITMIME.</param>
/// <param name="SmtpUtf8">The client declared SMTPUTF8.</param>
public sealed record OutboundMessage(
    string QueueId,
    string Sender,
    IReadOnlyList<string> Recipients,
    Func<Stream> OpenContent,
    long Size,
    bool EightBitMime,
    bool SmtpUtf8)
{
    /// <summary>The mail class decided at acceptance: a transactional-only provider takes no bulk mail.</summary>
    public Routing.MailClass MailClass { get; init; } = Routing.MailClass.Transactional;
}
