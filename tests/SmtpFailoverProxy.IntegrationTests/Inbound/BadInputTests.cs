using System.Text;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Inbound;

/// <summary>
/// Each bad input gets its documented reply, the session goes on (NOOP answers 250), and nothing bad is
/// spooled. Raw sockets, so every byte is the test's.
/// </summary>
public sealed class BadInputTests(MailboxProxyFixture fixture) : IClassFixture<MailboxProxyFixture>
{
    private int Port => fixture.Proxy.SmtpPort;

    [Theory]
    [InlineData("FROB", "500 5.5.1")]
    [InlineData("MAIL FROM:<a@example.com> X", "555 5.5.4")]
    [InlineData("MAIL FROM:<a@example.com>X", "501 5.5.2")]
    [InlineData("RCPT TO:<user@example.com>", "503 5.5.1")]
    [InlineData("DATA", "503 5.5.1")]
    [InlineData("MAIL FROM:<not an address>", "501 5.1.7")]
    [InlineData("MAIL FROM:<a@@example.com>", "501 5.1.7")]
    [InlineData("MAIL FROM:a@example.com", "501 5.1.7")]
    [InlineData("MAIL TO:<a@example.com>", "501 5.5.2")]
    [InlineData("MAIL FROM:<a@example.com> FOO=BAR", "555 5.5.4")]
    [InlineData("MAIL FROM:<a@example.com> SIZE=99999999", "552 5.3.4")]
    [InlineData("MAIL FROM:<app@elsewhere.org>", "550 5.7.1")]
    [InlineData("MAIL FROM:<ü@example.com>", "553 5.6.7")]
    [InlineData("EXPN staff", "502 5.5.1")]
    [InlineData("BDAT 10 LAST", "502 5.5.1")]
    [InlineData("EHLO", "501 5.5.2")]
    [InlineData("EHLO two words", "501 5.5.2")]
    [InlineData("HELO", "501 5.5.2")]
    [InlineData("NOOP\0", "501 5.5.2")]
    [InlineData("NO\u0007OP", "501 5.5.2")]
    [InlineData(" NOOP", "500 5.5.1")]
    [InlineData("\tNOOP", "500 5.5.1")]
    [InlineData("MAIL FROM:<a@example.com>\u00e9", "501 5.5.2")]
    [InlineData("MAIL FROM:<a@example.com> SIZE=abc", "501 5.5.2")]
    [InlineData("MAIL FROM:<a@example.com> BODY=BINARYMIME", "501 5.5.2")]
    [InlineData("MAIL FROM:<user@exämple.com>", "553 5.6.7")]
    [InlineData("MAIL FROM:<user@[127.0.0.1]>", "550 5.7.1")]
    [InlineData("STARTTLS", "502 5.5.1")]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "502 5.5.1")]
    [InlineData("VRFY postmaster", "252 2.1.5")]
    [InlineData("HELP", "214 2.0.0")]
    [InlineData("NOOP with an argument", "250 2.0.0")]
    [InlineData("mail from:<a@example.com>", "250 2.1.0")]
    [InlineData("MAIL FROM:<\"quoted local\"@example.com>", "250 2.1.0")]
    [InlineData("MAIL FROM:<@relay.example.com:a@example.com>", "250 2.1.0")]
    [InlineData("MAIL FROM:<a@example.com> SMTPUTF8 BODY=8BITMIME", "250 2.1.0")]
    public async Task Bad_command_gets_its_reply_and_the_session_continues(string command, string expected)
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);

        Assert.StartsWith(expected, await client.CommandAsync(command));
        Assert.StartsWith("250 ", await client.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData("RCPT TO:<>", "550 5.1.3")]
    [InlineData("RCPT TO:<user>", "501 5.1.3")]
    [InlineData("RCPT TO:<postmaster>", "501 5.1.3")]
    [InlineData("RCPT TO:<a@example.com> NOTIFY=NEVER", "555 5.5.4")]
    [InlineData("RCPT TO:<用户@例子.广告>", "553 5.6.7")]
    [InlineData("RCPT TO:<a@" + "x234567890123456789012345678901234567890123456789012345678901234.example.com>", "501 5.1.3")]
    [InlineData("RCPT TO:<\"john..doe\"@example.com>", "250 2.1.5")]
    [InlineData("DATA", "503 5.5.1")]
    [InlineData("MAIL FROM:<b@example.com>", "503 5.5.1")]
    public async Task Bad_recipient_or_sequence_in_a_transaction_gets_its_reply(string command, string expected)
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<app@example.com>"));

        Assert.StartsWith(expected, await client.CommandAsync(command));
        Assert.StartsWith("250 ", await client.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData("Subject: nul\r\n\r\nbefore\0after\r\n", "550 5.6.0")]
    [InlineData("Subject: ends with dot LF\r\n\r\nbody\r\n.\nMAIL FROM:<evil@example.com>\r\n", "550 5.6.0")]
    [InlineData("Subject: CR dot CR\r\n\r\nbody\r.\rMAIL FROM:<evil@example.com>\r\n", "550 5.6.0")]
    [InlineData("Subject: dots\r\n\r\n..stuffed\r\n...\r\n", "250 2.0.0")]
    [InlineData("", "250 2.0.0")]
    [InlineData("Subject: 8bit without BODY=8BITMIME\r\n\r\nÜnïcödé\r\n", "250 2.0.0")]
    [InlineData("From: Somebody <ceo@elsewhere.org>\r\nSubject: spoof\r\n\r\nx\r\n", "550 5.7.1")]
    [InlineData("X-Big: {big}\r\nSubject: big header\r\n\r\nx\r\n", "552 5.3.4")]
    public async Task Bad_data_gets_its_reply_after_the_final_dot_and_the_session_continues(string data, string expected)
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        await client.CommandAsync("MAIL FROM:<app@example.com>");
        await client.CommandAsync("RCPT TO:<user@example.com>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));

        await client.SendAsync(data.Replace("{big}", new string('h', 900) + "\r\n " + new string('h', 900) + "\r\n " + new string('h', 900)) + ".\r\n");

        Assert.StartsWith(expected, await client.ReadReplyAsync());
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<app@example.com>"));
    }

    [Fact]
    public async Task A_megabyte_of_pipelined_garbage_ends_that_session_only()
    {
        await using (var client = await SmtpTestClient.ConnectAsync(Port))
        {
            var flood = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("FROB\r\n", 1024 * 1024 / 6)));
            try
            {
                await client.SendAsync(flood);
            }
            catch (IOException)
            {
                // The server may close while we still write: that is the point.
            }

            var replies = await client.ReadReplyAsync();
            Assert.StartsWith("500", replies);
        }

        await using var next = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("250 ", await next.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Command_before_EHLO_is_a_bad_sequence()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port, ehlo: false);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@example.com>"));
        Assert.StartsWith("250", await client.CommandAsync("HELO client.test"));
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Fact]
    public async Task Overlong_command_line_gets_500_and_the_session_continues()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("500 5.5.2", await client.CommandAsync("NOOP " + new string('x', 2000)));
        Assert.StartsWith("250 ", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Too_many_recipients_get_452_and_the_accepted_ones_still_receive_the_message()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<app@example.com>"));
        for (var i = 0; i < 3; i++) Assert.StartsWith("250", await client.CommandAsync($"RCPT TO:<r{i}@example.com>"));
        Assert.StartsWith("452 4.5.3", await client.CommandAsync("RCPT TO:<r3@example.com>"));
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        var reply = await client.CommandAsync("Subject: three\r\n\r\nbody\r\n.");
        Assert.StartsWith("250 2.0.0 OK queued as", reply);
        var id = reply.Split(' ').Last();
        var envelope = await Eventually.ValueAsync(() => ReadIfExists(Path.Combine(fixture.Mailbox, id + ".json")), "delivery to the mailbox");
        Assert.Contains("r2@example.com", envelope);
        Assert.DoesNotContain("r3@example.com", envelope);
    }

    [Fact]
    public async Task Oversize_message_without_SIZE_gets_552_after_the_data_and_is_not_kept()
    {
        await SpoolEmptiedAsync();
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        await client.CommandAsync("MAIL FROM:<app@example.com>");
        await client.CommandAsync("RCPT TO:<user@example.com>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        var body = string.Concat(Enumerable.Repeat(new string('a', 98) + "\r\n", 200)); // 20,000 octets > 10,000
        Assert.StartsWith("552 5.3.4", await client.CommandAsync("Subject: big\r\n\r\n" + body + "."));
        Assert.StartsWith("250 ", await client.CommandAsync("NOOP"));
        Assert.Equal(0, fixture.Proxy.QueuedCount);
    }

    [Theory]
    [InlineData("Subject: x\r\n\r\nbare\nLF\r\n.\r\n")]
    [InlineData("Subject: x\r\n\r\nbare\rCR\r\n.\r\n")]
    [InlineData("Subject: x\r\n\r\nsmuggle\n.\nMAIL FROM:<evil@example.com>\r\n.\r\n")]
    [InlineData("Subject: x\r\n\r\nsmuggle\n.\r\nMAIL FROM:<evil@example.com>\r\n.\r\n")]
    public async Task Bare_CR_or_LF_in_data_is_refused_and_nothing_after_it_runs_as_a_command(string data)
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        await client.CommandAsync("MAIL FROM:<app@example.com>");
        await client.CommandAsync("RCPT TO:<user@example.com>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        await client.SendAsync(data);

        Assert.StartsWith("550 5.6.0", await client.ReadReplyAsync());
        // Had the smuggled MAIL run, this would be 503 "Sender already specified".
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<app@example.com>"));
    }

    [Fact]
    public async Task Overlong_data_line_is_refused_after_the_data()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        await client.CommandAsync("MAIL FROM:<app@example.com>");
        await client.CommandAsync("RCPT TO:<user@example.com>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        Assert.StartsWith("550 5.6.0", await client.CommandAsync("Subject: x\r\n\r\n" + new string('y', 1200) + "\r\n."));
        Assert.StartsWith("250 ", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Pipelined_transaction_gets_every_reply_in_order()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        await client.SendAsync("RSET\r\nMAIL FROM:<app@example.com>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync());
        Assert.StartsWith("354", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.0.0 OK queued as", await client.CommandAsync("Subject: pipelined\r\n\r\nok\r\n."));
    }

    [Fact]
    public async Task Too_many_errors_close_the_session_with_421_and_the_server_keeps_serving()
    {
        await using (var client = await SmtpTestClient.ConnectAsync(Port))
        {
            for (var i = 0; i < 4; i++) Assert.StartsWith("500", await client.CommandAsync("FROB"));
            Assert.StartsWith("500 5.5.1 Command unrecognized\n421 4.7.0", await client.CommandAsync("FROB") + "\n" + await client.ReadReplyAsync());
            Assert.True(await client.IsClosedAsync());
        }

        await using var next = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("250 ", await next.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Silent_client_is_closed_with_421_after_the_command_timeout()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("421 4.4.2", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Client_that_disconnects_mid_DATA_leaves_nothing_in_the_spool()
    {
        await SpoolEmptiedAsync();
        await using (var client = await SmtpTestClient.ConnectAsync(Port))
        {
            await client.CommandAsync("MAIL FROM:<app@example.com>");
            await client.CommandAsync("RCPT TO:<user@example.com>");
            Assert.StartsWith("354", await client.CommandAsync("DATA"));
            await client.SendAsync("Subject: cut short\r\n\r\nhalf a mess");
        }

        await using var next = await SmtpTestClient.ConnectAsync(Port);
        Assert.StartsWith("250 ", await next.CommandAsync("NOOP"));
        Assert.Equal(0, fixture.Proxy.QueuedCount);
        Assert.DoesNotContain(Directory.EnumerateFiles(fixture.Mailbox, "*.eml"), f => File.ReadAllText(f).Contains("cut short"));
    }

    [Fact]
    public async Task Swaks_still_sends_after_all_of_the_above()
    {
        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{Port}", "--from", "app@example.com", "--to", "user@example.com");
        Assert.True(exit == 0, transcript);
    }

    // Earlier tests' messages are delivered after their 250, so the spool is counted from empty: a count
    // taken while one of them is still queued falls to zero and fails the comparison for the wrong reason.
    private Task SpoolEmptiedAsync() =>
        Eventually.TrueAsync(() => fixture.Proxy.QueuedCount == 0, "earlier tests' messages to leave the spool");

    private static string? ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : null;
}
