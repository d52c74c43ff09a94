namespace SmtpFailoverProxy.Inbound;

/// <summary>Where an SMTP session stands between commands (RFC 5321 4.1.4).</summary>
internal enum SmtpSessionState
{
    /// <summary>Greeting sent; the client has not said EHLO or HELO.</summary>
    Connected,

    /// <summary>EHLO or HELO accepted; no transaction open.</summary>
    Greeted,

    /// <summary>MAIL accepted; no recipient yet.</summary>
    HasSender,

    /// <summary>At least one RCPT accepted; DATA may follow.</summary>
    HasRecipients,
}
