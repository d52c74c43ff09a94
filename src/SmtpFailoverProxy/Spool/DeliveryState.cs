namespace SmtpFailoverProxy.Spool;

/// <summary>
/// How far delivery of a spooled message has come: written beside it after each attempt that leaves work,
/// so a restart neither repeats finished recipients nor forgets the retry schedule.
/// </summary>
/// <param name="PendingRecipients">Recipients not yet delivered or bounced.</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="NextAttemptAt">When to try again.</param>
/// <param name="LastReply">The last upstream reply, for the operator and the DSN.</param>
internal sealed record DeliveryState(IReadOnlyList<string> PendingRecipients, int Attempts, DateTimeOffset NextAttemptAt, string? LastReply);
