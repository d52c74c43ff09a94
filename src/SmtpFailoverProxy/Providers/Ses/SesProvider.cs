using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Health;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Logging;

namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// Relays through Amazon SES: SESv2 SendEmail with the raw bytes and the envelope recipients, paced at
/// the account's MaxSendRate so the proxy itself never causes throttling. Every SES error is classified
/// (<see cref="SesOutcomeClassifier"/>); only a message-level rejection bounces, the rest is retried.
/// </summary>
internal sealed class SesProvider(
    string name,
    ISesClient client,
    SesProviderOptions options,
    TimeProvider timeProvider,
    ILogger<SesProvider> logger) : IEmailProvider, IProviderHealthCheck
{
    /// <summary>
    /// The share of MaxSendRate the pacer uses. Sends leave evenly spaced, but each takes a few
    /// milliseconds more or less to reach SES: paced at exactly the quota, that jitter put 51 and 52 sends
    /// into some 1-second windows at 50/s (bench/compare). 3% below keeps every window within the quota and
    /// still sends 97% of it. A send whose timer fired late is held back by <see cref="SendWindow"/>.
    /// </summary>
    internal const double PacingShare = 0.97;

    private readonly SendRatePacer _pacer = new(timeProvider, (options.MaxSendRate ?? options.FallbackSendRate) * PacingShare);
    private readonly SendWindow _window = new(timeProvider, (int)(options.MaxSendRate ?? options.FallbackSendRate));
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private long? _lastRefresh;

    public string Name { get; } = name;

    /// <summary>The send rate in force, recipients per second: <see cref="PacingShare"/> of MaxSendRate.</summary>
    public double SendRate => _pacer.Rate;

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        await RefreshSendRateAsync(cancellationToken);
        await _pacer.WaitAsync(message.Recipients.Count, cancellationToken);
        await _window.EnterAsync(message.Recipients.Count, cancellationToken);

        // The request is built, hashed and signed before its first wait. Done on the socket event thread its
        // delivery started on, that held up the session that had just heard its 250 (one session sending:
        // 1,744 against 2,372 msg/s end to end, bench/RESULTS.md). After a pacing wait this is on the thread
        // pool already.
        await SocketScheduling.LeaveEventThread();
        // Streamed from the spool (or memory) into the request: a large message is never held whole.
        var result = await client.SendRawEmailAsync(new SesRawEmail(message.OpenContent, message.Size, message.Recipients, null), cancellationToken);
        if (result.Error is null)
        {
            logger.SesAccepted(message.QueueId, result.MessageId!);
            return DeliveryResult.ForAll(Name, OutcomeClass.Delivered, message.Recipients, RecipientStatus.Delivered,
                new UpstreamReply(200, "2.0.0", $"SES MessageId {result.MessageId}"), result.MessageId);
        }

        var outcome = SesOutcomeClassifier.Classify(result.Error);
        var status = outcome == OutcomeClass.MessageRejected ? RecipientStatus.Failed : RecipientStatus.Deferred;
        return DeliveryResult.ForAll(Name, outcome, message.Recipients, status,
            new UpstreamReply(result.Error.StatusCode, EnhancedCodeOf(outcome), result.Error.ToString()));
    }

    /// <summary>Reads MaxSendRate from GetAccount, at most once per <see cref="SesProviderOptions.AccountRefreshInterval"/>.</summary>
    private async Task RefreshSendRateAsync(CancellationToken cancellationToken)
    {
        if (options.MaxSendRate is not null) return;
        if (_lastRefresh is { } last && timeProvider.GetElapsedTime(last) < options.AccountRefreshInterval) return;
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_lastRefresh is { } again && timeProvider.GetElapsedTime(again) < options.AccountRefreshInterval) return;
            // Marked fresh only once read: sends arriving meanwhile wait here rather than reserve their
            // turn at the fallback rate (one a second), which would hold a backlog back long after.
            var account = await client.GetAccountAsync(cancellationToken);
            _lastRefresh = timeProvider.GetTimestamp();
            if (account.Account is { MaxSendRate: > 0 } a)
            {
                _pacer.Rate = a.MaxSendRate * PacingShare;
                _window.Limit = (int)a.MaxSendRate;
            }
            else if (account.Error is not null)
            {
                logger.SesAccountUnreadable(Name, account.Error.ToString(), _pacer.Rate);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// GetAccount: sending is possible when SendingEnabled is true and EnforcementStatus is not SHUTDOWN;
    /// PROBATION and more than 90% of Max24HourSend used are warnings.
    /// </summary>
    public async Task<ProviderHealth?> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var answer = await client.GetAccountAsync(cancellationToken);
        if (answer.Account is not { } account)
        {
            // Credentials refused is a finding; no answer at all is not.
            return answer.Error is { } error && SesOutcomeClassifier.Classify(error) is (OutcomeClass.ProviderMisconfigured or OutcomeClass.Suspended) and var problem
                ? new ProviderHealth(false, error.ToString(), [], problem)
                : null;
        }

        var warnings = new List<string>();
        if (account.EnforcementStatus.Equals("PROBATION", StringComparison.OrdinalIgnoreCase)) warnings.Add("SES account is on PROBATION");
        if (account.Max24HourSend > 0 && account.SentLast24Hours > 0.9 * account.Max24HourSend)
        {
            warnings.Add($"SES has sent {account.SentLast24Hours} of {account.Max24HourSend} in 24 hours (over 90%)");
        }

        var canSend = account.SendingEnabled && !account.EnforcementStatus.Equals("SHUTDOWN", StringComparison.OrdinalIgnoreCase);
        return new ProviderHealth(canSend, $"SendingEnabled={account.SendingEnabled}, EnforcementStatus={account.EnforcementStatus}", warnings);
    }

    // RFC 3463 codes for the DSN and logs: X.7.1 refused by policy, X.4.1 no answer, X.7.0 other security/policy.
    private static string EnhancedCodeOf(OutcomeClass outcome) => outcome switch
    {
        OutcomeClass.MessageRejected => "5.7.1",
        OutcomeClass.Suspended => "4.7.1",
        OutcomeClass.Throttled or OutcomeClass.QuotaExhausted => "4.7.0",
        OutcomeClass.ProviderMisconfigured => "4.7.0",
        _ => "4.4.1",
    };
}
