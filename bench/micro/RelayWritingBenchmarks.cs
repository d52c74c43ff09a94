using System.Text;
using BenchmarkDotNet.Attributes;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Microbenchmarks;

/// <summary>
/// The relay client's own work per message, without the network: the content dot-stuffed into DATA (one
/// reused stream per connection, as the client does), and the pipelined replies to MAIL, RCPT and DATA
/// read and parsed.
/// </summary>
public class RelayWritingBenchmarks
{
    private static readonly byte[] Replies = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4Xb2Lq0QzGz9v\r\n"u8.ToArray();

    private byte[] _message = [];
    private readonly DotStuffingStream _stuffing = new(Stream.Null);

    [Params(4 * 1024, 200 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder("From: app@example.com\r\nTo: user@example.com\r\nSubject: benchmark\r\n\r\n");
        while (text.Length < Size) text.Append(".a body line that starts with a dot, of a typical length for plain text.\r\n");
        _message = Encoding.ASCII.GetBytes(text.ToString());
    }

    [Benchmark]
    public async Task StuffContent()
    {
        _stuffing.Begin(null);
        await _stuffing.WriteAsync(_message);
        await _stuffing.CompleteAsync(CancellationToken.None);
    }

    [Benchmark]
    public async Task<UpstreamReplyCode> ReadReplies()
    {
        var reader = new SmtpReplyReader(new MemoryStream(Replies, writable: false));
        for (var i = 0; i < 3; i++) await reader.ReadAsync(CancellationToken.None);
        var final = (await reader.ReadAsync(CancellationToken.None)).ToUpstreamReply();
        return new UpstreamReplyCode(final.Code, final.EnhancedCode);
    }

    /// <summary>What the benchmark returns, so the work is not optimised away.</summary>
    public readonly record struct UpstreamReplyCode(int Code, string? Enhanced);
}
