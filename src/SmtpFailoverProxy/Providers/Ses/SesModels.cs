namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>An error answer of the SES API (or of the way to it), in AWS's terms.</summary>
/// <param name="StatusCode">HTTP status; 0 when no answer came (connection failure, timeout).</param>
/// <param name="Code">The error type, e.g. <c>AccountSuspendedException</c>, <c>TooManyRequestsException</c>.</param>
/// <param name="Message">AWS's message.</param>
public sealed record SesError(int StatusCode, string Code, string Message)
{
    /// <summary>The error type and AWS's message, as logs and DSNs show them.</summary>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>A raw message for SESv2 <c>SendEmail</c> with <c>Content.Raw</c>.</summary>
/// <param name="OpenRawMessage">Opens the MIME bytes, exactly as they are to arrive; called once per read of them.</param>
/// <param name="Length">How many bytes that is.</param>
/// <param name="Recipients">The envelope recipients (<c>Destination.ToAddresses</c>).</param>
/// <param name="FromEmailAddress">Optional envelope sender identity.</param>
public sealed record SesRawEmail(Func<Stream> OpenRawMessage, long Length, IReadOnlyList<string> Recipients, string? FromEmailAddress)
{
    /// <summary>A message held in memory.</summary>
    public static SesRawEmail FromBytes(byte[] rawMessage, IReadOnlyList<string> recipients, string? fromEmailAddress = null) =>
        new(() => new MemoryStream(rawMessage, writable: false), rawMessage.Length, recipients, fromEmailAddress);
}

/// <summary>What SendEmail answered: the SES MessageId, or an error.</summary>
public sealed record SesSendResult(string? MessageId, SesError? Error);

/// <summary>The parts of SESv2 <c>GetAccount</c> the proxy uses.</summary>
public sealed record SesAccount(
    bool SendingEnabled,
    string EnforcementStatus,
    bool ProductionAccessEnabled,
    double Max24HourSend,
    double MaxSendRate,
    double SentLast24Hours);

/// <summary>What GetAccount answered: the account, or an error.</summary>
public sealed record SesAccountResult(SesAccount? Account, SesError? Error);
