using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class MessageSpoolTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));

    private static MessageEnvelope Envelope(string id) =>
        new(id, "app@example.com", ["a@example.com"], new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), "127.0.0.1", "client", true, false);

    [Fact]
    public void Committed_message_is_listed_and_reads_back_with_its_envelope_and_exact_bytes()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = QueueId.New(TimeProvider.System);
        using (var entry = spool.Begin(Envelope(id)))
        {
            entry.Write("Subject: x\r\n\r\n\u00e9\r\n"u8);
            entry.Commit();
        }

        Assert.Equal([id], spool.ListQueued());
        var message = spool.Load(id)!;
        Assert.Equal(id, message.Envelope.QueueId);
        Assert.Equal("app@example.com", message.Envelope.Sender);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero), message.Envelope.ReceivedAt);
        Assert.True(message.Envelope.EightBitMime);
        Assert.Equal(["a@example.com"], message.Envelope.Recipients);
        using var content = message.OpenContent();
        using var copy = new MemoryStream();
        content.CopyTo(copy);
        Assert.Equal("Subject: x\r\n\r\n\u00e9\r\n"u8.ToArray(), copy.ToArray());
        Assert.Equal(copy.Length, message.ContentLength);
    }

    [Fact]
    public void Uncommitted_message_is_never_queued_and_its_temp_file_is_gone()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        using (var entry = spool.Begin(Envelope(QueueId.New(TimeProvider.System))))
        {
            entry.Write("Subject: x\r\n"u8);
        }

        Assert.Empty(spool.ListQueued());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "tmp")));
    }

    [Fact]
    public void Start_removes_what_a_crash_left_half_done()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
        Directory.CreateDirectory(Path.Combine(_root, "queue"));
        File.WriteAllText(Path.Combine(_root, "tmp", "HALF.msg"), "partial");
        File.WriteAllText(Path.Combine(_root, "queue", "0123456789ABCDEF0123456789ABCDEF.state"), "{}");

        _ = new MessageSpool(_root, TimeProvider.System);

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "tmp")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "queue")));
    }

    [Fact]
    public void Saved_state_survives_a_reload_and_remove_deletes_both_files()
    {
        var spool = new MessageSpool(_root, TimeProvider.System);
        var id = QueueId.New(TimeProvider.System);
        using (var entry = spool.Begin(Envelope(id)))
        {
            entry.Write("x"u8);
            entry.Commit();
        }

        var next = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        spool.SaveState(id, new DeliveryState(["a@example.com"], 3, next, "451 4.3.0 later"));
        var state = new MessageSpool(_root, TimeProvider.System).Load(id)!.State;
        Assert.Equal(3, state.Attempts);
        Assert.Equal(next, state.NextAttemptAt);
        Assert.Equal("451 4.3.0 later", state.LastReply);

        spool.Remove(id);
        Assert.Null(spool.Load(id));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "queue")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
