using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class CommittedMessagesTests
{
    private static void Add(CommittedMessages messages, string id, int size) =>
        messages.TryAdd(new MessageEnvelope(id, "app@example.com", ["a@example.com"], DateTimeOffset.UnixEpoch, "127.0.0.1", "client", false, false), "/spool/" + id, size + 300, new byte[size]);

    [Fact]
    public void Message_is_taken_once()
    {
        var messages = new CommittedMessages();
        Add(messages, "A", 10);

        Assert.True(messages.TryTake("A", out var taken));
        Assert.Equal("A", taken.Envelope.QueueId);
        Assert.Equal("/spool/A", taken.Path);
        Assert.False(messages.TryTake("A", out _));
        Assert.Equal(0, messages.Bytes);
    }

    [Fact]
    public void Messages_beyond_the_byte_cap_are_not_kept_and_room_comes_back_when_one_is_taken()
    {
        var messages = new CommittedMessages();
        var half = (int)(CommittedMessages.MaxBytes / 2);
        Add(messages, "A", half);
        Add(messages, "B", half);
        Add(messages, "C", 1);

        Assert.Equal(CommittedMessages.MaxBytes, messages.Bytes);
        Assert.False(messages.TryTake("C", out _));

        Assert.True(messages.TryTake("A", out _));
        Add(messages, "C", 1);
        Assert.True(messages.TryTake("C", out _));
    }
}
