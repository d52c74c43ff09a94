using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Tests.Providers.Ses;

/// <summary>The SES classification table, row by row.</summary>
public sealed class SesOutcomeClassifierTests
{
    [Theory]
    [InlineData(400, "AccountSuspendedException", "Your account has been suspended.", OutcomeClass.Suspended)]
    [InlineData(400, "SendingPausedException", "Sending is paused for this account.", OutcomeClass.Suspended)]
    [InlineData(400, "MessageRejected", "Sending paused for this account.", OutcomeClass.Suspended)]
    [InlineData(400, "MessageRejected", "Account is suspended", OutcomeClass.Suspended)]
    [InlineData(429, "TooManyRequestsException", "Too Many Requests", OutcomeClass.Throttled)]
    [InlineData(400, "Throttling", "Maximum sending rate exceeded.", OutcomeClass.Throttled)]
    [InlineData(400, "ThrottlingException", "Rate exceeded", OutcomeClass.Throttled)]
    [InlineData(400, "LimitExceededException", "Daily message quota exceeded.", OutcomeClass.QuotaExhausted)]
    [InlineData(400, "Throttling", "Daily message quota exceeded.", OutcomeClass.QuotaExhausted)]
    [InlineData(400, "MessageRejected", "Email address is not verified. The following identities failed the check in region AP-NORTHEAST-2: a@example.com", OutcomeClass.ProviderMisconfigured)]
    [InlineData(400, "MailFromDomainNotVerifiedException", "MAIL FROM domain not verified", OutcomeClass.ProviderMisconfigured)]
    [InlineData(403, "SignatureDoesNotMatch", "The request signature we calculated does not match", OutcomeClass.ProviderMisconfigured)]
    [InlineData(403, "UnrecognizedClientException", "The security token included in the request is invalid.", OutcomeClass.ProviderMisconfigured)]
    [InlineData(403, "AccessDeniedException", "User is not authorized to perform ses:SendEmail", OutcomeClass.ProviderMisconfigured)]
    [InlineData(400, "ExpiredTokenException", "The security token included in the request is expired", OutcomeClass.ProviderMisconfigured)]
    [InlineData(404, "NotFoundException", "Configuration set <x> does not exist.", OutcomeClass.ProviderMisconfigured)]
    [InlineData(0, "MissingCredentials", "No credentials", OutcomeClass.ProviderMisconfigured)]
    [InlineData(400, "MessageRejected", "Illegal address", OutcomeClass.MessageRejected)]
    [InlineData(400, "BadRequestException", "Message length is more than 40 MB", OutcomeClass.MessageRejected)]
    [InlineData(500, "InternalFailure", "unknown error", OutcomeClass.Transient)]
    [InlineData(503, "ServiceUnavailable", "Service unavailable", OutcomeClass.Transient)]
    [InlineData(0, "Timeout", "No answer", OutcomeClass.Transient)]
    [InlineData(0, "ConnectionFailure", "Connection refused", OutcomeClass.Transient)]
    public void Classifies(int status, string code, string message, OutcomeClass expected)
    {
        Assert.Equal(expected, SesOutcomeClassifier.Classify(new SesError(status, code, message)));
    }
}
