namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>What the upstream answered in one mail transaction.</summary>
/// <param name="Mail">The reply to MAIL FROM.</param>
/// <param name="Recipients">The reply to each RCPT TO, in the message's order; empty when MAIL was refused first.</param>
/// <param name="Data">
/// The reply that decided the accepted recipients: the final one after the content, or DATA's refusal;
/// null when no recipient was accepted.
/// </param>
internal sealed record SmtpTransactionReplies(SmtpServerReply Mail, IReadOnlyList<SmtpServerReply> Recipients, SmtpServerReply? Data);
