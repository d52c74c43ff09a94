using System.Text;
using MimeKit;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

public sealed class FromRewriterTests
{
    private const string Raw = "From: Billing <billing@example.com>\r\nTo: user@example.org\r\nList-Unsubscribe: <mailto:unsub@example.com>\r\nSubject: Invoice\r\n\r\nbody\r\n";

    private static MimeMessage Load(string raw) => MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(raw)));

    private static readonly SmtpProviderOptions Rewrite = new()
    {
        Host = "smtp.gmail.com",
        FromPolicy = FromPolicy.Rewrite,
        Username = "relay@example.com",
        SendAsAliases = ["noreply@example.com", "@alias.example.com"],
    };

    [Fact]
    public void Rewrites_From_keeping_the_display_name_and_puts_the_original_in_Reply_To()
    {
        var message = Load(Raw);

        Assert.True(FromRewriter.Apply(message, Rewrite));

        Assert.Equal("\"Billing\" <relay@example.com>", message.From.ToString());
        Assert.Equal("\"Billing\" <billing@example.com>", message.ReplyTo.ToString());
        Assert.Equal("<mailto:unsub@example.com>", message.Headers[HeaderId.ListUnsubscribe]);
        Assert.Equal("body", ((TextPart)message.Body!).Text.TrimEnd());
    }

    [Theory]
    [InlineData("noreply@example.com")]
    [InlineData("news@alias.example.com")]
    [InlineData("relay@example.com")]
    public void Leaves_send_as_aliases_untouched(string from)
    {
        var message = Load(Raw.Replace("billing@example.com", from));
        Assert.False(FromRewriter.Apply(message, Rewrite));
        Assert.Contains(from, message.From.ToString());
        Assert.Empty(message.ReplyTo);
    }

    [Fact]
    public void Keeps_an_existing_Reply_To_and_does_nothing_under_Keep()
    {
        var withReplyTo = Load(Raw.Replace("Subject:", "Reply-To: support@example.com\r\nSubject:"));
        FromRewriter.Apply(withReplyTo, Rewrite);
        Assert.Equal("support@example.com", withReplyTo.ReplyTo.Mailboxes.Single().Address);

        var kept = Load(Raw);
        Assert.False(FromRewriter.Apply(kept, new SmtpProviderOptions { Host = "x", FromPolicy = FromPolicy.Keep }));
        Assert.Equal("billing@example.com", kept.From.Mailboxes.Single().Address);
    }
}
