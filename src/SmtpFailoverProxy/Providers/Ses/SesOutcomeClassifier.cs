namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// Maps an SES API error onto an <see cref="OutcomeClass"/>: a table, checked in order, first match wins.
/// Error codes and texts from the SESv2 API reference (SendEmail, "Errors"; Common Errors) and the SES
/// developer guide ("Errors related to sending quotas": "Maximum sending rate exceeded", "Daily message
/// quota exceeded"; sandbox: "Email address is not verified").
/// </summary>
internal static class SesOutcomeClassifier
{
    private sealed record Row(string? Code, string? MessageContains, Func<int, bool>? Status, OutcomeClass Class);

    private static readonly Row[] Rows =
    [
        // The account cannot send at all.
        new("AccountSuspendedException", null, null, OutcomeClass.Suspended),
        new("SendingPausedException", null, null, OutcomeClass.Suspended),
        new("AccountSendingPausedException", null, null, OutcomeClass.Suspended),
        new("MessageRejected", "paused", null, OutcomeClass.Suspended),
        new("MessageRejected", "suspended", null, OutcomeClass.Suspended),
        // Too fast, or out of quota for the day.
        new(null, "Daily message quota exceeded", null, OutcomeClass.QuotaExhausted),
        new("LimitExceededException", null, null, OutcomeClass.QuotaExhausted),
        new(null, "Maximum sending rate exceeded", null, OutcomeClass.Throttled),
        new("TooManyRequestsException", null, null, OutcomeClass.Throttled),
        new("ThrottlingException", null, null, OutcomeClass.Throttled),
        new("Throttling", null, null, OutcomeClass.Throttled),
        // Credentials, identities or configuration: an operator must act.
        new("MessageRejected", "not verified", null, OutcomeClass.ProviderMisconfigured),
        new("MailFromDomainNotVerifiedException", null, null, OutcomeClass.ProviderMisconfigured),
        new("SignatureDoesNotMatch", null, null, OutcomeClass.ProviderMisconfigured),
        new("InvalidSignatureException", null, null, OutcomeClass.ProviderMisconfigured),
        new("IncompleteSignature", null, null, OutcomeClass.ProviderMisconfigured),
        new("UnrecognizedClientException", null, null, OutcomeClass.ProviderMisconfigured),
        new("InvalidClientTokenId", null, null, OutcomeClass.ProviderMisconfigured),
        new("ExpiredTokenException", null, null, OutcomeClass.ProviderMisconfigured),
        new("MissingAuthenticationToken", null, null, OutcomeClass.ProviderMisconfigured),
        new("AccessDeniedException", null, null, OutcomeClass.ProviderMisconfigured),
        new("MissingCredentials", null, null, OutcomeClass.ProviderMisconfigured),
        new("NotFoundException", null, null, OutcomeClass.ProviderMisconfigured), // e.g. the configuration set does not exist
        new("ConfigurationSetDoesNotExistException", null, null, OutcomeClass.ProviderMisconfigured),
        // This message only: bad address, too large, content refused.
        new("MessageRejected", null, null, OutcomeClass.MessageRejected),
        new("BadRequestException", null, s => s is >= 400 and < 500, OutcomeClass.MessageRejected),
        // The rest: service errors, timeouts, no answer.
        new(null, null, s => s >= 500 || s == 0, OutcomeClass.Transient),
    ];

    public static OutcomeClass Classify(SesError error)
    {
        foreach (var row in Rows)
        {
            if (row.Code is not null && !row.Code.Equals(error.Code, StringComparison.OrdinalIgnoreCase)) continue;
            if (row.MessageContains is not null && !error.Message.Contains(row.MessageContains, StringComparison.OrdinalIgnoreCase)) continue;
            if (row.Status is not null && !row.Status(error.StatusCode)) continue;
            return row.Class;
        }

        return OutcomeClass.Transient;
    }
}
