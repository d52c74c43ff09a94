using Microsoft.Extensions.Logging;

namespace SmtpFailoverProxy.Logging;

/// <summary>
/// Every log event of the proxy, source-generated, with stable event ids by area:
/// 1xxx inbound SMTP, 2xxx spool, 3xxx delivery, 4xxx providers, 5xxx configuration and host.
/// No message bodies and no secrets are ever arguments here.
/// </summary>
internal static partial class Log
{
    // Inbound SMTP
    [LoggerMessage(1001, LogLevel.Debug, "Connection from {RemoteAddress}")]
    public static partial void ConnectionOpened(this ILogger logger, string remoteAddress);

    [LoggerMessage(1002, LogLevel.Warning, "Refused connection from {RemoteAddress}: {Limit} connections open")]
    public static partial void ConnectionLimitReached(this ILogger logger, string remoteAddress, int limit);

    [LoggerMessage(1003, LogLevel.Information, "Session with {RemoteAddress} timed out")]
    public static partial void SessionTimedOut(this ILogger logger, string remoteAddress);

    [LoggerMessage(1004, LogLevel.Information, "Accepted {QueueId} from <{Sender}> for {RecipientCount} recipient(s), {Size} octets, {MailClass}")]
    public static partial void MessageAccepted(this ILogger logger, string queueId, string sender, int recipientCount, long size, string mailClass);

    [LoggerMessage(1005, LogLevel.Information, "Refused message from <{Sender}>: {Reply}")]
    public static partial void MessageRefused(this ILogger logger, string sender, string reply);

    [LoggerMessage(1006, LogLevel.Error, "Could not write to the spool; the client was told to retry (451)")]
    public static partial void SpoolWriteFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1007, LogLevel.Warning, "Closing session with {RemoteAddress}: {Errors} errors")]
    public static partial void TooManyErrors(this ILogger logger, string remoteAddress, int errors);

    [LoggerMessage(1008, LogLevel.Error, "Session with {RemoteAddress} failed")]
    public static partial void SessionFailed(this ILogger logger, Exception exception, string remoteAddress);

    [LoggerMessage(1010, LogLevel.Information, "{RemoteAddress} authenticated as {User}")]
    public static partial void AuthSucceeded(this ILogger logger, string user, string remoteAddress);

    [LoggerMessage(1011, LogLevel.Warning, "Failed AUTH from {RemoteAddress}")]
    public static partial void AuthFailed(this ILogger logger, string remoteAddress);

    [LoggerMessage(1012, LogLevel.Information, "TLS handshake with {RemoteAddress} failed: {Error}")]
    public static partial void TlsHandshakeFailed(this ILogger logger, string remoteAddress, string error);

    // Spool
    [LoggerMessage(2001, LogLevel.Information, "Spool at {Path} holds {Count} message(s) to deliver")]
    public static partial void SpoolRecovered(this ILogger logger, string path, int count);

    [LoggerMessage(2002, LogLevel.Error, "Spool file of {QueueId} is unreadable ({Error}); moved to {Path} for an operator, not delivered")]
    public static partial void SpoolFileQuarantined(this ILogger logger, string queueId, string error, string path);

    [LoggerMessage(2003, LogLevel.Error, "Spool slot's header says queued but cannot be read; moved to {Path} for an operator, not delivered")]
    public static partial void SpoolSlotQuarantined(this ILogger logger, string path);

    // Delivery
    [LoggerMessage(3001, LogLevel.Information, "Delivered {QueueId} to {RecipientCount} recipient(s) via {Provider} in {ElapsedMs} ms: {Reply}")]
    public static partial void Delivered(this ILogger logger, string queueId, int recipientCount, string provider, long elapsedMs, string reply);

    [LoggerMessage(3002, LogLevel.Warning, "Deferred {QueueId} for {RecipientCount} recipient(s) via {Provider} ({Outcome}), attempt {Attempt}, next at {NextAttempt:o}: {Reply}")]
    public static partial void Deferred(this ILogger logger, string queueId, int recipientCount, string provider, string outcome, int attempt, DateTimeOffset nextAttempt, string reply);

    [LoggerMessage(3003, LogLevel.Warning, "Bounced {QueueId} for <{Recipient}> via {Provider}: {Reply}")]
    public static partial void Bounced(this ILogger logger, string queueId, string recipient, string provider, string reply);

    [LoggerMessage(3004, LogLevel.Information, "Queued DSN {DsnQueueId} to <{Sender}> for {QueueId}")]
    public static partial void DsnQueued(this ILogger logger, string dsnQueueId, string sender, string queueId);

    [LoggerMessage(3005, LogLevel.Error, "Delivery of {QueueId} failed unexpectedly; it stays queued")]
    public static partial void DeliveryCrashed(this ILogger logger, Exception exception, string queueId);

    [LoggerMessage(3006, LogLevel.Warning, "No DSN for {QueueId}: the sender is the null address")]
    public static partial void DsnSuppressed(this ILogger logger, string queueId);

    // Providers

    [LoggerMessage(4002, LogLevel.Information, "SES accepted {QueueId} as {SesMessageId}")]
    public static partial void SesAccepted(this ILogger logger, string queueId, string sesMessageId);

    [LoggerMessage(4003, LogLevel.Warning, "Could not read the SES account of {Provider} ({Error}); pacing at {Rate}/s")]
    public static partial void SesAccountUnreadable(this ILogger logger, string provider, string error, double rate);

    // Routing and circuits
    [LoggerMessage(6001, LogLevel.Warning, "{QueueId} not taken by {Provider} ({Outcome}: {Reply}); trying the next provider")]
    public static partial void FailingOver(this ILogger logger, string queueId, string provider, string outcome, string reply);

    [LoggerMessage(6002, LogLevel.Warning, "Circuit {Provider} {Kind}: {State} {Reason} until {OpenUntil:o} - {Detail}")]
    public static partial void CircuitTransition(this ILogger logger, string provider, string kind, string state, string? reason, DateTimeOffset? openUntil, string? detail);

    [LoggerMessage(6003, LogLevel.Warning, "Routing: {Change}")]
    public static partial void RoutingChanged(this ILogger logger, string change);

    [LoggerMessage(6004, LogLevel.Information, "Canary for {Provider}: {Outcome} - {Detail}")]
    public static partial void CanaryResult(this ILogger logger, string provider, string outcome, string detail);
}
