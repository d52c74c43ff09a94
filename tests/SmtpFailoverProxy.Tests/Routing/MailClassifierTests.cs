using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Tests.Routing;

public sealed class MailClassifierTests
{
    private readonly MailClassifier _classifier = new(new MailClassOptions
    {
        BulkSenders = ["@news.example.com"],
        TransactionalSenders = ["billing@example.com"],
    });

    [Theory]
    [InlineData("app@example.com", 1, null, null, false, "Your receipt", MailClass.Transactional)]
    [InlineData("app@example.com", 1, null, null, false, "Reset your password", MailClass.Critical)]
    [InlineData("app@example.com", 1, null, null, false, "Your login code: 123456", MailClass.Critical)]
    [InlineData("app@example.com", 1, "bulk", null, false, "Reset your password", MailClass.Bulk)]
    [InlineData("app@example.com", 1, " Critical ", null, false, "hello", MailClass.Critical)]
    [InlineData("app@example.com", 1, "nonsense", null, false, "hello", MailClass.Transactional)]
    [InlineData("app@example.com", 1, null, "bulk", false, "hello", MailClass.Bulk)]
    [InlineData("app@example.com", 1, null, "list", false, "hello", MailClass.Bulk)]
    [InlineData("app@example.com", 1, null, null, true, "hello", MailClass.Bulk)]
    [InlineData("app@example.com", 11, null, null, false, "hello", MailClass.Bulk)]
    [InlineData("app@example.com", 10, null, null, false, "hello", MailClass.Transactional)]
    [InlineData("promo@news.example.com", 1, null, null, false, "Reset your password", MailClass.Bulk)]
    [InlineData("billing@example.com", 1, null, null, true, "Invoice", MailClass.Transactional)]
    public void Classifies(string sender, int recipients, string? header, string? precedence, bool listUnsubscribe, string subject, MailClass expected)
    {
        Assert.Equal(expected, _classifier.Classify(sender, recipients, new MessageHeaderSummary(header, precedence, listUnsubscribe, subject)));
    }
}
