using System.Text;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary>swaks -> proxy -> aiosmtpd: the Gmail path end to end, on real sockets.</summary>
public sealed class SmtpRelayTests
{
    private const string RawMessage =
        "From: App <app@example.com>\r\n" +
        "To: user@example.com\r\n" +
        "Bcc: hidden@example.com,\r\n" +
        " other-hidden@example.com\r\n" +
        "Subject: Byte for byte\r\n" +
        "Message-ID: <byte-for-byte@example.com>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        "Line one\r\n" +
        ".a line that starts with a dot\r\n" +
        "..two dots\r\n" +
        "Ünïcödé 8-bit body, trailing spaces   \r\n" +
        "\tBcc: not a header, stays\r\n" +
        "Bcc: in the body, stays\r\n";

    [Fact]
    public async Task Message_arrives_upstream_byte_for_byte_without_Bcc_and_with_Received()
    {
        using var upstream = await UpstreamSmtpServer.StartAsync();
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(upstream.Port));
        var dataFile = Path.Combine(proxy.WorkDirectory, "message.eml");
        // Without its last CR LF: swaks adds CR LF . CR LF itself and would otherwise add an empty line.
        await File.WriteAllBytesAsync(dataFile, Encoding.UTF8.GetBytes(RawMessage[..^2]));

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com,hidden@example.com", "--data", dataFile);

        Assert.True(exit == 0, transcript);
        Assert.Matches(@"250 2\.0\.0 OK queued as [0-9A-F]{32}", transcript);
        var received = await Eventually.ValueAsync(() => upstream.Messages.FirstOrDefault(), "the upstream to receive the message");
        Assert.Equal("app@example.com", received.MailFrom);
        Assert.Equal(["user@example.com", "hidden@example.com"], received.Recipients);

        var text = received.Text;
        Assert.StartsWith("Received: from ", text);
        var afterTrace = text[(text.IndexOf("\r\nFrom: App", StringComparison.Ordinal) + 2)..];
        var expected = RawMessage.Replace("Bcc: hidden@example.com,\r\n other-hidden@example.com\r\n", "");
        Assert.Equal(expected, afterTrace);
        Assert.Contains("by proxy.test (SmtpFailoverProxy) with ESMTP id", text[..text.IndexOf("\r\nFrom: App", StringComparison.Ordinal)]);
    }

    [Fact]
    public async Task Upstream_down_at_send_time_client_still_gets_250_and_message_is_delivered_when_it_comes_up()
    {
        var upstreamPort = TestPorts.GetFree();
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(upstreamPort));

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com", "--header", "Subject: waits for the upstream");
        Assert.True(exit == 0, transcript);
        await Eventually.TrueAsync(() => proxy.Output.Contains("Deferred"), "a deferred attempt while the upstream is down");
        Assert.Equal(1, proxy.QueuedCount);

        using var upstream = await UpstreamSmtpServer.StartAsync(upstreamPort);
        var received = await Eventually.ValueAsync(() => upstream.Messages.FirstOrDefault(), "delivery once the upstream is up");
        Assert.Contains("Subject: waits for the upstream", received.Text);
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0, "the spool to empty");
        Assert.Single(upstream.Messages);
    }

    [Fact]
    public async Task Kill_9_right_after_250_then_restart_delivers_the_message_exactly_once()
    {
        var upstreamPort = TestPorts.GetFree();
        var settings = ProxyProcess.RelayingTo(upstreamPort);
        using var proxy = await ProxyProcess.StartAsync(settings);

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com", "--header", "Subject: survives kill -9");
        Assert.True(exit == 0, transcript);
        proxy.Kill();
        Assert.Equal(1, proxy.QueuedCount);

        using var upstream = await UpstreamSmtpServer.StartAsync(upstreamPort);
        await proxy.RestartAsync();
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0, "the restarted proxy to deliver the spooled message");
        var message = Assert.Single(upstream.Messages);
        Assert.Contains("Subject: survives kill -9", message.Text);
    }

    [Fact]
    public async Task Files_recycled_from_delivered_messages_carry_only_the_new_messages_through_kill_9_and_restart()
    {
        var upstreamPort = TestPorts.GetFree();
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(upstreamPort));
        using (var first = await UpstreamSmtpServer.StartAsync(upstreamPort))
        {
            // Long enough that the shorter new messages are written over longer old bytes.
            for (var i = 1; i <= 3; i++) await SendAsync(proxy, $"old {i}", string.Join("\n", Enumerable.Repeat(new string('o', 75), 40)));
            await Eventually.TrueAsync(() => first.Messages.Count == 3 && proxy.QueuedCount == 0, "the old messages delivered");
        }

        // Sent one after another, the old messages took turns in one to three slots, now free for reuse.
        var kept = Directory.EnumerateFiles(proxy.SpoolSlots).ToList();
        Assert.InRange(kept.Count, 1, 3);

        // Upstream gone: the new messages wait in recycled slots; then the proxy dies without a word.
        for (var i = 1; i <= 2; i++) await SendAsync(proxy, $"new {i}", "short");
        var now = Directory.EnumerateFiles(proxy.SpoolSlots).ToHashSet();
        Assert.Subset(now, kept.ToHashSet());
        Assert.Equal(Math.Max(kept.Count, 2), now.Count); // the kept slots were written over before any new one was made
        proxy.Kill();
        Assert.Equal(2, proxy.QueuedCount);

        using var second = await UpstreamSmtpServer.StartAsync(upstreamPort);
        await proxy.RestartAsync();
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0 && second.Messages.Count == 2, "the restarted proxy to deliver the new messages");
        var texts = second.Messages.Select(m => m.Text).ToList();
        Assert.Contains(texts, t => t.Contains("Subject: new 1") && t.TrimEnd().EndsWith("\r\n\r\nshort", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("Subject: new 2") && t.TrimEnd().EndsWith("\r\n\r\nshort", StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains("old ") || t.Contains("ooo"));
    }

    [Fact]
    public async Task After_one_of_two_recipients_is_delivered_kill_9_and_restart_deliver_only_to_the_other()
    {
        var upstreamPort = TestPorts.GetFree();
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(upstreamPort));
        using (var busy = await UpstreamSmtpServer.StartAsync(upstreamPort, deferPattern: "^later@"))
        {
            var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
                "--to", "now@example.com,later@example.com", "--header", "Subject: half now, half later");
            Assert.True(exit == 0, transcript);
            var first = await Eventually.ValueAsync(() => busy.Messages.FirstOrDefault(), "the delivery to the recipient accepted at once");
            Assert.Equal(["now@example.com"], first.Recipients);
            // The progress is on disk before the proxy dies: the state file beside the message.
            await Eventually.TrueAsync(() => Directory.EnumerateFiles(proxy.SpoolQueue, "*.state").Any(), "the state file of the half-delivered message");
        }

        proxy.Kill();
        using var free = await UpstreamSmtpServer.StartAsync(upstreamPort);
        await proxy.RestartAsync();

        // The slot is marked free first, then the state file goes: wait for both.
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0 && !Directory.EnumerateFiles(proxy.SpoolQueue, "*.state").Any(),
            "the restarted proxy to deliver the rest and remove its state file");
        var rest = Assert.Single(free.Messages);
        Assert.Equal(["later@example.com"], rest.Recipients);
        Assert.Contains("Subject: half now, half later", rest.Text);
    }

    private static async Task SendAsync(ProxyProcess proxy, string subject, string body)
    {
        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com", "--header", $"Subject: {subject}", "--body", body);
        Assert.True(exit == 0, transcript);
        Assert.Contains("250 2.0.0 OK queued as", transcript);
    }

    [Fact]
    public async Task Upstream_refusing_one_of_two_recipients_delivers_to_the_other_and_sends_a_DSN_to_the_sender()
    {
        using var upstream = await UpstreamSmtpServer.StartAsync(rejectPattern: "^nobody@");
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(upstream.Port));

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com,nobody@example.com", "--header", "Subject: half refused");
        Assert.True(exit == 0, transcript);

        await Eventually.TrueAsync(() => upstream.Messages.Count == 2, "the message and the DSN at the upstream");
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0, "the spool to empty");
        var messages = upstream.Messages;
        var original = messages.Single(m => m.MailFrom == "app@example.com");
        Assert.Equal(["user@example.com"], original.Recipients);

        var dsn = messages.Single(m => !ReferenceEquals(m, original));
        Assert.True(dsn.MailFrom is "" or "<>", $"DSN sent from '{dsn.MailFrom}'");
        Assert.Equal(["app@example.com"], dsn.Recipients);
        Assert.Contains("multipart/report", dsn.Text);
        Assert.Contains("report-type=delivery-status", dsn.Text);
        Assert.Contains("Final-Recipient: rfc822; nobody@example.com", dsn.Text);
        Assert.Contains("Status: 5.1.1", dsn.Text);
        Assert.Contains("Subject: half refused", dsn.Text); // the original's headers are attached
        Assert.DoesNotContain("user@example.com>:", dsn.Text);
    }

    [Fact]
    public async Task Null_sender_message_refused_upstream_is_dropped_without_a_DSN()
    {
        using var upstream = await UpstreamSmtpServer.StartAsync(rejectPattern: "^nobody@");
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(upstream.Port));

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "<>",
            "--to", "nobody@example.com");
        Assert.True(exit == 0, transcript);

        await Eventually.TrueAsync(() => proxy.Output.Contains("No DSN for"), "the bounce without DSN");
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0, "the spool to empty");
        Assert.Empty(upstream.Messages);
    }
}
