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
    private sealed record Row(Func<int, bool> Code, Func<string?, bool> Enhanced, string? Text, OutcomeClass Class);

    private static bool AnyCode(int code) => true;
    private static bool AnyEnhanced(string? enhanced) => true;
    private static Func<string?, bool> Is(string enhanced) => e => e == enhanced;

    /// <summary>RFC 3463 X.1.x (address) and X.2.x (mailbox): about one recipient, never about our account.</summary>
    private static bool AboutOneMailbox(string? enhanced) => enhanced is { Length: > 4 } e && (e[1..].StartsWith(".1.", StringComparison.Ordinal) || e[1..].StartsWith(".2.", StringComparison.Ordinal));

    private static readonly Row[] Rows =
    [
        // First: a recipient whose own mailbox is "suspended" or "paused" (550 5.2.1) must not open our circuit.
        new(c => c >= 500, AboutOneMailbox, null, OutcomeClass.MessageRejected),
        new(c => c is >= 400 and < 500, AboutOneMailbox, null, OutcomeClass.Transient),
        new(AnyCode, AnyEnhanced, "account is paused", OutcomeClass.Suspended),
        new(AnyCode, AnyEnhanced, "sending paused", OutcomeClass.Suspended),
        new(AnyCode, AnyEnhanced, "suspended", OutcomeClass.Suspended),
        new(AnyCode, AnyEnhanced, "maximum sending rate exceeded", OutcomeClass.Throttled),
        new(AnyCode, AnyEnhanced, "daily message quota exceeded", OutcomeClass.QuotaExhausted),
        new(AnyCode, Is("5.4.5"), null, OutcomeClass.QuotaExhausted),
        new(AnyCode, AnyEnhanced, "daily user sending limit exceeded", OutcomeClass.QuotaExhausted),
        new(c => c is 530 or 534 or 535 or 538, AnyEnhanced, null, OutcomeClass.ProviderMisconfigured),
        new(AnyCode, Is("5.7.8"), null, OutcomeClass.ProviderMisconfigured),
        new(AnyCode, Is("4.7.8"), null, OutcomeClass.ProviderMisconfigured),
        new(AnyCode, AnyEnhanced, "email address is not verified", OutcomeClass.ProviderMisconfigured),
        new(c => c is 421 or 450 or 451 or 452, AnyEnhanced, "try again later", OutcomeClass.Throttled),
        new(c => c is 454, Is("4.7.0"), null, OutcomeClass.Throttled),
        new(c => c is >= 200 and < 300, AnyEnhanced, null, OutcomeClass.Delivered),
        new(c => c is >= 400 and < 500, AnyEnhanced, null, OutcomeClass.Transient),
        new(c => c >= 500, AnyEnhanced, null, OutcomeClass.MessageRejected),
        new(c => c == 0, AnyEnhanced, null, OutcomeClass.Transient),
    ];

    public static OutcomeClass Classify(UpstreamReply reply)
    {
        foreach (var row in Rows)
        {
            if (!row.Code(reply.Code) || !row.Enhanced(reply.EnhancedCode)) continue;
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
