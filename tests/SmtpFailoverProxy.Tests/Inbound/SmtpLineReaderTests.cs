using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Inbound;

public sealed class SmtpLineReaderTests
{
    private static async Task<List<(string Text, LineEnding Ending, bool StartsLine, bool TooLong)>> ReadAllAsync(string input, int maxLength, params int[] splits)
    {
        var pipe = new Pipe();
        var bytes = Encoding.ASCII.GetBytes(input);
        var position = 0;
        // Feed in pieces so lines cross buffer boundaries.
        foreach (var split in splits.Append(bytes.Length))
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(position, split - position));
            position = split;
        }

        await pipe.Writer.CompleteAsync();
        using var reader = new SmtpLineReader(pipe.Reader, TimeProvider.System, CancellationToken.None);
        var lines = new List<(string, LineEnding, bool, bool)>();
        while (await reader.ReadLineAsync(maxLength, TimeSpan.FromSeconds(5)) is { } line)
        {
            lines.Add((Encoding.ASCII.GetString(line.Content.ToArray()), line.Ending, line.StartsLine, line.TooLong));
        }

        return lines;
    }

    [Fact]
    public async Task Splits_lines_at_CRLF_across_buffer_boundaries()
    {
        var lines = await ReadAllAsync("EHLO a\r\nNOOP\r\n", 512, 3, 7, 8);
        Assert.Equal([("EHLO a", LineEnding.CrLf, true, false), ("NOOP", LineEnding.CrLf, true, false)], lines);
    }

    [Fact]
    public async Task Reports_bare_LF_and_keeps_bare_CR_inside_the_content()
    {
        var lines = await ReadAllAsync("a\nb\rc\r\n", 512);
        Assert.Equal([("a", LineEnding.BareLf, true, false), ("b\rc", LineEnding.CrLf, true, false)], lines);
    }

    [Fact]
    public async Task Overlong_line_comes_in_pieces_of_the_limit_then_its_tail()
    {
        var lines = await ReadAllAsync(new string('x', 25) + "\r\nok\r\n", 10, 5);
        Assert.Equal(
        [
            (new string('x', 10), LineEnding.None, true, true),
            (new string('x', 10), LineEnding.None, false, true),
            (new string('x', 5), LineEnding.CrLf, false, true),
            ("ok", LineEnding.CrLf, true, false),
        ], lines);
    }

    [Fact]
    public async Task Line_of_exactly_the_limit_with_CRLF_is_not_too_long()
    {
        var lines = await ReadAllAsync(new string('x', 8) + "\r\n" + new string('y', 9) + "\r\n", 10);
        Assert.Equal(("xxxxxxxx", LineEnding.CrLf, true, false), lines[0]);
        Assert.Equal((new string('y', 9) + "\r", LineEnding.None, true, true), lines[1]);
        Assert.Equal(("", LineEnding.BareLf, false, true), lines[2]);
    }

    [Fact]
    public async Task Unterminated_last_line_at_end_of_input_is_dropped()
    {
        var lines = await ReadAllAsync("NOOP\r\nQUI", 512);
        Assert.Equal([("NOOP", LineEnding.CrLf, true, false)], lines);
    }
}
