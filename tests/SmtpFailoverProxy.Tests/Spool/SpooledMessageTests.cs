using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class SpooledMessageTests
{
    [Fact]
    public void Outbound_message_carries_the_envelope_flags_and_class_to_the_recipients_still_pending()
    {
        var envelope = new MessageEnvelope("0123456789ABCDEF0123456789ABCDEF", "app@example.com", ["a@example.com", "b@example.com"],
            DateTimeOffset.UnixEpoch, "127.0.0.1", "client", EightBitMime: true, SmtpUtf8: true) { MailClass = MailClass.Bulk };
        var state = new DeliveryState(["b@example.com"], 1, DateTimeOffset.UnixEpoch, "451 4.3.0 later");
        var message = new SpooledMessage(envelope, state, "/nowhere", 0, 5, 300) { Content = "Hello"u8.ToArray() };

        var outbound = message.ToOutbound();

        Assert.Equal(("0123456789ABCDEF0123456789ABCDEF", "app@example.com", 5L, true, true, MailClass.Bulk),
            (outbound.QueueId, outbound.Sender, outbound.Size, outbound.EightBitMime, outbound.SmtpUtf8, outbound.MailClass));
        Assert.Equal(["b@example.com"], outbound.Recipients);
        using var content = new StreamReader(outbound.OpenContent());
        Assert.Equal("Hello", content.ReadToEnd());
    }
}
