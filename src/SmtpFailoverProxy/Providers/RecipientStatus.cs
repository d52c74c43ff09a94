namespace SmtpFailoverProxy.Providers;

/// <summary>What became of one recipient in one attempt.</summary>
public enum RecipientStatus
{
    /// <summary>The upstream took responsibility for the message (2xx, or an API message id).</summary>
    Delivered,

    /// <summary>Not delivered this time; try again later (4xx, outage, this provider unavailable).</summary>
    Deferred,

    /// <summary>Refused for good (5xx for this message or recipient): bounce with a DSN.</summary>
    Failed,
}
