using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Microbenchmarks;

/// <summary>
/// DATA as the session reads it: a 4 KB message cut into lines from a pipe, dot-unstuffed, and passed
/// through the header filter (Bcc and X-Mail-Class removed, From captured), up to CR LF . CR LF.
/// </summary>
public class DataReadingBenchmarks
{
    private byte[] _data = [];

    [Params(4 * 1024, 200 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder("From: app@example.com\r\nTo: user@example.com\r\nBcc: hidden@example.com\r\nSubject: benchmark\r\n\r\n");
        while (text.Length < Size) text.Append("..a body line, dot-stuffed, of a typical length for a mail body of plain text.\r\n");
        text.Append(".\r\n");
        _data = Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The pipe alone (write the message, read it through): what the harness itself costs.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> PipeOnly()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await pipe.Writer.WriteAsync(_data);
        await pipe.Writer.CompleteAsync();
        long length = 0;
        while (true)
        {
            var result = await pipe.Reader.ReadAsync();
            length += result.Buffer.Length;
            pipe.Reader.AdvanceTo(result.Buffer.End);
            if (!result.IsCompleted) continue;
            await pipe.Reader.CompleteAsync();
            return length;
        }
    }

    [Benchmark]
    public async Task<long> ReadMessage()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0)); // The whole message is written before it is read.
        await pipe.Writer.WriteAsync(_data);
        await pipe.Writer.CompleteAsync();
        using var reader = new SmtpLineReader(pipe.Reader, TimeProvider.System, CancellationToken.None);
        var filter = new MessageHeaderFilter();
        long written = 0;
        while (await reader.ReadLineAsync(1000, TimeSpan.FromMinutes(1)) is { } line && !line.IsDataTerminator)
        {
            var content = line.Content;
            if (line.StartsLine && !content.IsEmpty && content.FirstSpan[0] == (byte)'.') content = content.Slice(1);
            if (filter.ShouldWrite(content)) written += content.Length + 2;
        }

        // As the session does at its end: the pipe's segments go back to their pool.
        reader.Release();
        await pipe.Reader.CompleteAsync();
        return written;
    }
}
