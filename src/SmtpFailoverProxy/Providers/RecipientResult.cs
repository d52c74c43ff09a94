namespace SmtpFailoverProxy.Providers;

/// <summary>One recipient's outcome in one attempt, with the reply that decided it.</summary>
public sealed record RecipientResult(string Recipient, RecipientStatus Status, UpstreamReply Reply);
