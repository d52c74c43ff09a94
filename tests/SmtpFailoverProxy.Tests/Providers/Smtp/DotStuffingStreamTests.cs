using System.Text;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

public sealed class DotStuffingStreamTests
{
    private static async Task<string> StuffAsync(params string[] chunks)
    {
        var output = new MemoryStream();
        var stuffing = new DotStuffingStream(output);
        foreach (var chunk in chunks) await stuffing.WriteAsync(Encoding.UTF8.GetBytes(chunk));
        await stuffing.CompleteAsync(CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Theory]
    [InlineData("a\r\nb\r\n", "a\r\nb\r\n.\r\n")]
    [InlineData(".first\r\n", "..first\r\n.\r\n")]
    [InlineData("a\r\n.\r\n..\r\nb.c\r\n", "a\r\n..\r\n...\r\nb.c\r\n.\r\n")]
    [InlineData("no final line break", "no final line break\r\n.\r\n")]
    [InlineData("ends with a dot\r\n.", "ends with a dot\r\n..\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public async Task Doubles_dots_at_line_starts_and_ends_with_the_terminator(string content, string expected)
    {
        Assert.Equal(expected, await StuffAsync(content));
    }

    [Fact]
    public async Task Bare_LF_becomes_CR_LF_and_a_dot_after_it_is_doubled()
    {
        // A bare LF . LF must never reach the upstream as it is: lenient servers end DATA there (SMTP smuggling).
        Assert.Equal("a\r\n..\r\nb\r\n.\r\n", await StuffAsync("a\n.\nb\n"));
    }

    [Fact]
    public async Task State_carries_across_writes()
    {
        // CR in one write, LF in the next; a line start at a write boundary; a dot right after it.
        Assert.Equal("a\r\n..b\r\nc\r\n..\r\n.\r\n", await StuffAsync("a\r", "\n", ".b\r\n", "c\r\n", ".", "\r\n"));
    }

    [Fact]
    public async Task A_message_larger_than_the_buffer_comes_out_whole()
    {
        var line = new string('x', 997) + "\r\n";
        var content = new StringBuilder();
        for (var i = 0; i < 300; i++) content.Append(i % 3 == 0 ? "." : "").Append(line);

        var output = await StuffAsync(content.ToString());

        var expected = content.ToString().Replace("\r\n.", "\r\n..");
        expected = (expected.StartsWith('.') ? "." : "") + expected + ".\r\n";
        Assert.Equal(expected, output);
    }

    [Fact]
    public async Task Begin_starts_the_next_message_afresh()
    {
        var output = new MemoryStream();
        var stuffing = new DotStuffingStream(output);
        await stuffing.WriteAsync("first, without a line break"u8.ToArray());
        await stuffing.CompleteAsync(CancellationToken.None);
        output.SetLength(0);

        var writes = 0;
        stuffing.Begin(() => writes++);
        await stuffing.WriteAsync(".second\r\n"u8.ToArray());
        await stuffing.CompleteAsync(CancellationToken.None);

        Assert.Equal("..second\r\n.\r\n", Encoding.ASCII.GetString(output.ToArray()));
        Assert.Equal(1, writes);
    }

    [Fact]
    public async Task A_small_message_and_its_terminator_leave_in_one_write()
    {
        var output = new CountingStream();
        var stuffing = new DotStuffingStream(output);

        await stuffing.WriteAsync(Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbody\r\n"));
        await stuffing.CompleteAsync(CancellationToken.None);

        Assert.Equal(1, output.Writes);
    }

    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
