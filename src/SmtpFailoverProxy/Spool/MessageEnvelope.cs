namespace SmtpFailoverProxy.Spool;

/// <summary>What the SMTP transaction said about a message, kept in its spool file beside the bytes.</summary>
/// <param name="QueueId">The id given in the 250 reply after DATA.</param>
/// <param name="Sender">The reverse-path without angle brackets; empty for the null sender.</param>
/// <param name="Recipients">The forward-paths, in the order received.</param>
/// <param name="ReceivedAt">When the message was accepted.</param>
/// <param name="ClientAddress">The client's IP address.</param>
/// <param name="ClientName">What the client said in EHLO/HELO.</param>
/// <param name="EightBitMime">MAIL FROM carried BODY=8BITMIME.</param>
/// <param name="SmtpUtf8">MAIL FROM carried SMTPUTF8.</param>
internal sealed record MessageEnvelope(
    string QueueId,
    string Sender,
    IReadOnlyList<string> Recipients,
    DateTimeOffset ReceivedAt,
    string ClientAddress,
    string ClientName,
    bool EightBitMime,
    bool SmtpUtf8)
{
    /// <summary>True for a delivery status notification we made ourselves.</summary>
    public bool IsDsn { get; init; }

    /// <summary>The mail class decided at acceptance (see <c>MailClasses</c> in the README).</summary>
    public Routing.MailClass MailClass { get; init; } = Routing.MailClass.Transactional;

    public bool HasNullSender => Sender.Length == 0;
}
