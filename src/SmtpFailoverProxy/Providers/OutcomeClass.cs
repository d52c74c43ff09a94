namespace SmtpFailoverProxy.Providers;

/// <summary>
/// What an upstream outcome says about the provider, so that routing can decide whether to fail over.
/// Each provider maps its own replies onto these with a table (see the README).
/// </summary>
public enum OutcomeClass
{
    /// <summary>Accepted.</summary>
    Delivered,

    /// <summary>The account is suspended or sending is paused: nothing will go through this provider.</summary>
    Suspended,

    /// <summary>Too many requests for now: slow down.</summary>
    Throttled,

    /// <summary>The daily quota is used up.</summary>
    QuotaExhausted,

    /// <summary>Credentials, identity or configuration are wrong: an operator must act.</summary>
    ProviderMisconfigured,

    /// <summary>This message (or recipient) is refused; another provider would refuse it too.</summary>
    MessageRejected,

    /// <summary>A passing failure: 4xx, 5xx of a service, timeout, connection failure.</summary>
    Transient,
}
