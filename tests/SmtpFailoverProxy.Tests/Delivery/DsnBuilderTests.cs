using System.Text;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Delivery;

public sealed class DsnBuilderTests
{
    [Fact]
    public void Builds_an_RFC_3464_report_with_one_group_per_failed_recipient_and_the_original_headers()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var envelope = new MessageEnvelope("0123456789ABCDEF0123456789ABCDEF", "app@example.com", ["a@example.com", "b@example.com"],
            time.GetUtcNow(), "127.0.0.1", "client", false, false);
        var original = new MemoryStream(Encoding.ASCII.GetBytes("Subject: Reset your password\r\nTo: a@example.com\r\n\r\nsecret body\r\n"));
        var failures = new[]
        {
            new RecipientResult("a@example.com", RecipientStatus.Failed, new UpstreamReply(550, "5.1.1", "User unknown")),
            new RecipientResult("b@example.com", RecipientStatus.Failed, new UpstreamReply(554, null, "Rejected")),
        };

        var dsn = new DsnBuilder("proxy.test", time).Build(envelope, failures, original);

        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        Assert.Equal("MAILER-DAEMON@proxy.test", dsn.From.Mailboxes.Single().Address);
        Assert.Equal("app@example.com", dsn.To.Mailboxes.Single().Address);
        var status = Assert.Single(report.OfType<MessageDeliveryStatus>());
        Assert.Equal(3, status.StatusGroups.Count);
        Assert.Equal("dns; proxy.test", status.StatusGroups[0]["Reporting-MTA"]);
        Assert.Equal("rfc822; a@example.com", status.StatusGroups[1]["Final-Recipient"]);
        Assert.Equal("5.1.1", status.StatusGroups[1]["Status"]);
        Assert.Equal("failed", status.StatusGroups[1]["Action"]);
        Assert.Equal("5.0.0", status.StatusGroups[2]["Status"]);
        Assert.Equal("smtp; 554 Rejected", status.StatusGroups[2]["Diagnostic-Code"]);

        var text = dsn.ToString();
        Assert.Contains("Subject: Reset your password", text);
        Assert.DoesNotContain("secret body", text); // headers only, never the body
    }
}
