using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

/// <summary>The SMTP reply table, row by row, with replies as Gmail and SES's SMTP interface write them.</summary>
public sealed class SmtpReplyClassifierTests
{
    [Theory]
    [InlineData(250, "2.0.0", "OK 1700000000 gsmtp", OutcomeClass.Delivered)]
    [InlineData(554, null, "Transaction failed: Account is paused.", OutcomeClass.Suspended)]
    [InlineData(554, null, "Sending suspended for this account. For more information, please check the inbox of the email address associated with your AWS account.", OutcomeClass.Suspended)]
    [InlineData(454, null, "Throttling failure: Maximum sending rate exceeded.", OutcomeClass.Throttled)]
    [InlineData(454, null, "Throttling failure: Daily message quota exceeded.", OutcomeClass.QuotaExhausted)]
    [InlineData(550, "5.4.5", "Daily user sending limit exceeded.", OutcomeClass.QuotaExhausted)]
    [InlineData(535, "5.7.8", "Username and Password not accepted.", OutcomeClass.ProviderMisconfigured)]
    [InlineData(530, "5.7.0", "Authentication Required.", OutcomeClass.ProviderMisconfigured)]
    [InlineData(554, null, "Message rejected: Email address is not verified. The following identities failed the check in region AP-NORTHEAST-2: a@example.com", OutcomeClass.ProviderMisconfigured)]
    [InlineData(421, "4.7.0", "Try again later, closing connection.", OutcomeClass.Throttled)]
    [InlineData(454, "4.7.0", "Too many login attempts, please try again later.", OutcomeClass.Throttled)]
    [InlineData(451, "4.3.0", "Mail server temporarily rejected message.", OutcomeClass.Transient)]
    [InlineData(550, "5.1.1", "The email account that you tried to reach does not exist.", OutcomeClass.MessageRejected)]
    [InlineData(552, "5.3.4", "Your message exceeded Google's message size limits.", OutcomeClass.MessageRejected)]
    [InlineData(0, "4.4.1", "Connection refused", OutcomeClass.Transient)]
    [InlineData(550, "5.2.1", "The email account that you tried to reach is suspended.", OutcomeClass.MessageRejected)]
    [InlineData(450, "4.2.1", "The user you are trying to contact is receiving mail too quickly; account paused, try again later.", OutcomeClass.Transient)]
    [InlineData(550, "5.1.1", "Recipient address rejected: mailbox suspended", OutcomeClass.MessageRejected)]
    public void Classifies(int code, string? enhanced, string text, OutcomeClass expected)
    {
        Assert.Equal(expected, SmtpReplyClassifier.Classify(new UpstreamReply(code, enhanced, text)));
    }

    [Theory]
    [InlineData(OutcomeClass.Delivered, RecipientStatus.Delivered)]
    [InlineData(OutcomeClass.MessageRejected, RecipientStatus.Failed)]
    [InlineData(OutcomeClass.Suspended, RecipientStatus.Deferred)]
    [InlineData(OutcomeClass.Transient, RecipientStatus.Deferred)]
    public void Only_message_rejections_bounce(OutcomeClass outcome, RecipientStatus status)
    {
        Assert.Equal(status, SmtpReplyClassifier.StatusOf(outcome));
    }

    [Theory]
    [InlineData("5.1.1 <x@example.com>: Recipient address rejected", "5.1.1", "<x@example.com>: Recipient address rejected")]
    [InlineData("Requested action aborted", null, "Requested action aborted")]
    public void Splits_the_enhanced_code_from_the_text(string text, string? enhanced, string rest)
    {
        var reply = new SmtpServerReply(550, [text]).ToUpstreamReply();
        Assert.Equal(enhanced, reply.EnhancedCode);
        Assert.Equal(rest, reply.Text);
    }
}
