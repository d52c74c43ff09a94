using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Inbound;

/// <summary>
/// A spool that cannot take the message: the client hears a temporary failure (so it keeps the mail and
/// tries again), the session goes on, and nothing half-written is queued. The full disk is real: the
/// spool's one recycled file is a link to /dev/full, where every write fails with ENOSPC.
/// </summary>
public sealed class StorageFullTests
{
    [Fact]
    public async Task Full_disk_gets_452_4_3_1_the_session_continues_and_the_next_message_is_taken_once_there_is_room()
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        var slots = Path.Combine(settings["Spool:Path"], "slots");
        Directory.CreateDirectory(slots);
        var full = Path.Combine(slots, "0000.slot");
        File.CreateSymbolicLink(full, "/dev/full");
        using var proxy = await ProxyProcess.StartAsync(settings);
        await using var client = await SmtpTestClient.ConnectAsync(proxy.SmtpPort);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<app@example.com>"));
            Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<user@example.com>"));
            Assert.StartsWith("354", await client.CommandAsync("DATA"));
            await client.SendAsync("Subject: reset your password\r\n\r\nhello\r\n.\r\n");
            Assert.StartsWith("452 4.3.1", await client.ReadReplyAsync());
        }

        Assert.Equal(0, proxy.QueuedCount);
        // The log goes out from a background thread: it may come a moment after the reply.
        await Eventually.TrueAsync(() => proxy.Output.Contains("No space left on device"), "the spool's ENOSPC in the log");
        File.Delete(full); // room again: the pool's name now makes an ordinary file

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com", "--to", "user@example.com");
        Assert.True(exit == 0, transcript);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
        await Eventually.TrueAsync(() => Directory.Exists(Path.Combine(proxy.WorkDirectory, "mailbox"))
                                         && Directory.EnumerateFiles(Path.Combine(proxy.WorkDirectory, "mailbox"), "*.eml", SearchOption.AllDirectories).Count() == 1,
            "the message sent once there was room, and only it, in the mailbox");
    }

    [Fact]
    public async Task Less_free_space_than_the_minimum_gets_452_4_3_1_at_MAIL_before_any_data_is_sent()
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        settings["Spool:MinFreeBytes"] = "1000000000000000000"; // an exabyte: more than any disk here has free
        using var proxy = await ProxyProcess.StartAsync(settings);
        await using var client = await SmtpTestClient.ConnectAsync(proxy.SmtpPort);

        Assert.StartsWith("452 4.3.1", await client.CommandAsync("MAIL FROM:<app@example.com> SIZE=1000"));
        Assert.StartsWith("452 4.3.1", await client.CommandAsync("MAIL FROM:<app@example.com>"));
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com", "--to", "user@example.com");
        Assert.NotEqual(0, exit);
        Assert.Contains("<** 452 4.3.1", transcript);
        Assert.Equal(0, proxy.QueuedCount);
    }
}
