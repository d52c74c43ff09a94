namespace SmtpFailoverProxy.Sandbox;

/// <summary>How the sandbox behaves, set through its control API to rehearse SES's failures.</summary>
public enum SesSandboxMode
{
    /// <summary>Sends succeed.</summary>
    Healthy,

    /// <summary>SendEmail: 400 AccountSuspendedException; GetAccount: SendingEnabled=false, EnforcementStatus=SHUTDOWN.</summary>
    Suspended,

    /// <summary>SendEmail: 400 SendingPausedException; GetAccount: SendingEnabled=false.</summary>
    Paused,

    /// <summary>GetAccount: SendingEnabled=false; SendEmail: SendingPausedException (as AWS does once sending is disabled).</summary>
    SendingDisabled,

    /// <summary>SendEmail: 429 TooManyRequestsException "Maximum sending rate exceeded.".</summary>
    Throttled,

    /// <summary>SendEmail: 400 LimitExceededException "Daily message quota exceeded.".</summary>
    QuotaExhausted,

    /// <summary>SendEmail and GetAccount: 500 InternalFailure.</summary>
    ServerError,

    /// <summary>Sends succeed after <c>LatencyMs</c>.</summary>
    Slow,

    /// <summary>SendEmail: 400 MessageRejected (content refused, this message only).</summary>
    MessageRejected,

    /// <summary>SendEmail: 400 MessageRejected "Email address is not verified" (SES sandbox accounts).</summary>
    Unverified,
}
