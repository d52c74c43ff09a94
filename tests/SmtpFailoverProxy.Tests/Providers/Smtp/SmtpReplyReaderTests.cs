using System.Text;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

public sealed class SmtpReplyReaderTests
{
    private static SmtpReplyReader Reader(string bytes) => new(new MemoryStream(Encoding.UTF8.GetBytes(bytes)));

    [Fact]
    public async Task Reads_pipelined_replies_one_at_a_time()
    {
        var reader = Reader("250 2.1.0 Ok\r\n550 5.1.1 <x@example.com>: User unknown\r\n354 End data with <CR><LF>.<CR><LF>\r\n");

        var mail = await reader.ReadAsync(CancellationToken.None);
        var rcpt = await reader.ReadAsync(CancellationToken.None);
        var data = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(250, mail.Code);
        Assert.Equal(new UpstreamReply(550, "5.1.1", "<x@example.com>: User unknown"), rcpt.ToUpstreamReply());
        Assert.Equal(354, data.Code);
        Assert.False(reader.HasBufferedBytes);
    }

    [Fact]
    public async Task A_multiline_reply_keeps_each_line_and_joins_them_without_repeated_enhanced_codes()
    {
        var reader = Reader("550-5.7.1 [192.0.2.1] The IP you're using to send mail is not authorized\r\n" +
                            "550-5.7.1 to send email directly to our servers.\r\n" +
                            "550 5.7.1 https://support.google.com/mail/?p=NotAuthorizedError - gsmtp\r\n");

        var reply = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(3, reply.Lines.Count);
        var upstream = reply.ToUpstreamReply();
        Assert.Equal("5.7.1", upstream.EnhancedCode);
        Assert.Equal("[192.0.2.1] The IP you're using to send mail is not authorized to send email directly to our servers. " +
                     "https://support.google.com/mail/?p=NotAuthorizedError - gsmtp", upstream.Text);
    }

    [Fact]
    public async Task A_reply_split_across_reads_and_bare_LF_line_ends_are_read()
    {
        var reader = new SmtpReplyReader(new TrickleStream(Encoding.ASCII.GetBytes("250-first\n250 second\r\n")));

        var reply = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(["first", "second"], reply.Lines);
    }

    [Theory]
    [InlineData("hello\r\n")]
    [InlineData("25\r\n")]
    [InlineData("250x\r\n")]
    [InlineData("250-a\r\n550 b\r\n")]
    public async Task Anything_but_a_reply_is_a_protocol_violation(string bytes)
    {
        await Assert.ThrowsAsync<SmtpProtocolViolation>(() => Reader(bytes).ReadAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task A_connection_closed_mid_reply_is_a_protocol_violation()
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolViolation>(() => Reader("250-more to come\r\n").ReadAsync(CancellationToken.None).AsTask());
        Assert.Contains("closed", ex.Message);
    }

    [Fact]
    public async Task An_endless_line_is_refused_instead_of_buffered()
    {
        var ex = await Assert.ThrowsAsync<SmtpProtocolViolation>(() => Reader("250 " + new string('x', 10_000)).ReadAsync(CancellationToken.None).AsTask());
        Assert.Contains("longer than", ex.Message);
    }

    /// <summary>Hands out one byte per read, as a slow network might.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
