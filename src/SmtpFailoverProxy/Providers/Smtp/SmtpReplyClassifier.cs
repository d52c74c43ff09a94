using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// Maps an upstream SMTP reply onto an <see cref="OutcomeClass"/>. Rows are checked in order; the first
/// that matches wins. Texts are matched case-insensitively as substrings.
/// </summary>
/// <remarks>
/// Sources: RFC 3463 (enhanced codes: X.7.8 authentication, X.7.0 policy, X.4.5 system congestion);
/// Gmail's SMTP error reference (421 4.7.0 "Try again later", 550 5.4.5 "Daily user sending limit
/// exceeded", 454 4.7.0 "Too many login attempts", 535 5.7.8 "Username and Password not accepted");
/// SES SMTP responses ("Account is paused", "Maximum sending rate exceeded", "Daily message quota exceeded").
/// </remarks>
internal static class SmtpReplyClassifier
{
    private sealed record Row(Func<int, bool> Code, string? EnhancedPrefix, string? Text, OutcomeClass Class);

    private static readonly Row[] Rows =
    [
        new(_ => true, null, "account is paused", OutcomeClass.Suspended),
        new(_ => true, null, "sending paused", OutcomeClass.Suspended),
        new(_ => true, null, "suspended", OutcomeClass.Suspended),
        new(_ => true, null, "maximum sending rate exceeded", OutcomeClass.Throttled),
        new(_ => true, null, "daily message quota exceeded", OutcomeClass.QuotaExhausted),
        new(_ => true, "5.4.5", null, OutcomeClass.QuotaExhausted),
        new(_ => true, null, "daily user sending limit exceeded", OutcomeClass.QuotaExhausted),
        new(c => c is 530 or 534 or 535 or 538, null, null, OutcomeClass.ProviderMisconfigured),
        new(_ => true, "5.7.8", null, OutcomeClass.ProviderMisconfigured),
        new(_ => true, "4.7.8", null, OutcomeClass.ProviderMisconfigured),
        new(_ => true, null, "email address is not verified", OutcomeClass.ProviderMisconfigured),
        new(c => c is 421 or 450 or 451 or 452, null, "try again later", OutcomeClass.Throttled),
        new(c => c is 454, "4.7.0", null, OutcomeClass.Throttled),
        new(c => c >= 200 && c < 300, null, null, OutcomeClass.Delivered),
        new(c => c >= 400 && c < 500, null, null, OutcomeClass.Transient),
        new(c => c >= 500, null, null, OutcomeClass.MessageRejected),
        new(c => c == 0, null, null, OutcomeClass.Transient),
    ];

    public static OutcomeClass Classify(UpstreamReply reply)
    {
        foreach (var row in Rows)
        {
            if (!row.Code(reply.Code)) continue;
            if (row.EnhancedPrefix is not null && reply.EnhancedCode != row.EnhancedPrefix) continue;
            if (row.Text is not null && !reply.Text.Contains(row.Text, StringComparison.OrdinalIgnoreCase)) continue;
            return row.Class;
        }

        return OutcomeClass.Transient;
    }

    /// <summary>
    /// Whether a recipient with this reply is tried again later (provider-level trouble or a 4xx) or
    /// bounced (a 5xx about this message or recipient).
    /// </summary>
    public static RecipientStatus StatusOf(OutcomeClass outcome) => outcome switch
    {
        OutcomeClass.Delivered => RecipientStatus.Delivered,
        OutcomeClass.MessageRejected => RecipientStatus.Failed,
        _ => RecipientStatus.Deferred,
    };
}
