namespace SmtpFailoverProxy.Inbound;

/// <summary>The command verbs the session knows.</summary>
internal enum SmtpVerb
{
    Unknown,
    Ehlo,
    Helo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Noop,
    Quit,
    Help,
    Vrfy,
    Expn,
    Bdat,
    StartTls,
    Auth,
}
