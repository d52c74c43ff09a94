using System.Text;
using MimeKit;
using MimeKit.Utils;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Delivery;

/// <summary>
/// Builds a delivery status notification (RFC 3464 multipart/report; RFC 6522) telling the sender which
/// recipients could not be reached, with each upstream's words and the original headers.
/// </summary>
internal sealed class DsnBuilder(string hostname, TimeProvider timeProvider)
{
    public MimeMessage Build(MessageEnvelope original, IReadOnlyList<RecipientResult> failures, Stream originalContent)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{hostname}"));
        message.To.Add(new MailboxAddress(string.Empty, original.Sender));
        message.Subject = "Undelivered Mail Returned to Sender";
        message.Date = timeProvider.GetUtcNow();
        message.MessageId = MimeUtils.GenerateMessageId(hostname);
        message.Headers.Add("Auto-Submitted", "auto-replied"); // RFC 3834: no replies to this.

        var text = new StringBuilder()
            .AppendLine($"This is the mail system at {hostname}.")
            .AppendLine()
            .AppendLine("Your message could not be delivered to the following recipient(s):")
            .AppendLine();
        foreach (var failure in failures) text.AppendLine($"  <{failure.Recipient}>: {failure.Reply}");
        text.AppendLine().AppendLine($"Queue id: {original.QueueId}");

        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList
        {
            { "Reporting-MTA", $"dns; {hostname}" },
            { "X-Queue-ID", original.QueueId },
            { "Arrival-Date", DateUtils.FormatDate(original.ReceivedAt) },
        };
        status.StatusGroups.Add(perMessage);
        foreach (var failure in failures)
        {
            status.StatusGroups.Add(new HeaderList
            {
                { "Final-Recipient", $"rfc822; {failure.Recipient}" },
                { "Action", "failed" },
                { "Status", StatusCodeOf(failure.Reply) },
                { "Diagnostic-Code", $"smtp; {failure.Reply}" },
            });
        }

        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = text.ToString() },
            status,
            new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(ReadHeaderBlock(originalContent))) },
        };
        message.Body = report;
        return message;
    }

    /// <summary>The RFC 3463 code for the Status field: the upstream's, or one derived from its class.</summary>
    private static string StatusCodeOf(UpstreamReply reply) =>
        reply.EnhancedCode ?? (reply.Code >= 500 ? "5.0.0" : "4.0.0");

    /// <summary>The original's header section, up to and including the empty line, at most 64 KiB.</summary>
    private static byte[] ReadHeaderBlock(Stream content)
    {
        const int limit = 64 * 1024;
        var buffer = new MemoryStream();
        var previous = -1;
        int b;
        while (buffer.Length < limit && (b = content.ReadByte()) >= 0)
        {
            buffer.WriteByte((byte)b);
            if (b == '\n' && previous == '\n') break;
            if (b != '\r') previous = b;
        }

        return buffer.ToArray();
    }
}
