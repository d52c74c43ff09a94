using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Routing;

/// <summary>Applies <see cref="MailClassOptions"/> to a message at acceptance.</summary>
internal sealed class MailClassifier(MailClassOptions options)
{
    public MailClass Classify(string sender, int recipientCount, MessageHeaderSummary headers)
    {
        if (headers.MailClass is { } declared && Enum.TryParse<MailClass>(declared.Trim(), ignoreCase: true, out var explicitClass)) return explicitClass;
        if (AddressRules.Matches(options.BulkSenders, sender)) return MailClass.Bulk;
        var transactionalSender = AddressRules.Matches(options.TransactionalSenders, sender);
        if (!transactionalSender)
        {
            if (headers.Precedence?.Trim().ToLowerInvariant() is "bulk" or "list" or "junk") return MailClass.Bulk;
            if (headers.HasListUnsubscribe || recipientCount > options.BulkRecipientThreshold) return MailClass.Bulk;
        }

        if (headers.Subject is { } subject && options.CriticalSubjectKeywords.Any(k => subject.Contains(k, StringComparison.OrdinalIgnoreCase)))
        {
            return MailClass.Critical;
        }

        return MailClass.Transactional;
    }
}
