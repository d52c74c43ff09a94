using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Security;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Inbound;

/// <summary>
/// An <see cref="SmtpSession"/> over in-memory pipes, on a fake clock, with a spool in a scratch folder and
/// its delivery queue (nothing delivers from it): the client's side of the conversation for unit tests.
/// </summary>
internal sealed class InMemorySmtpSession : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public InMemorySmtpSession(SmtpOptions options)
    {
        Queue = new DeliveryQueue(Time);
        Spool = new MessageSpool(_root, Time);
        Output = new HookedPipeWriter(_toClient.Writer);
        var session = new SmtpSession(new DuplexPipe(_toServer.Reader, Output), System.Net.IPAddress.Loopback, options, Spool, Queue,
            new MailClassifier(new MailClassOptions()), new SmtpSecurityPolicy(options, Time), false, Time, NullLogger.Instance, Shutdown.Token,
            CancellationToken.None);
        Running = Task.Run(session.RunAsync);
    }

    public FakeTimeProvider Time { get; } = new();
    public MessageSpool Spool { get; }
    public DeliveryQueue Queue { get; }
    public CancellationTokenSource Shutdown { get; } = new();
    /// <summary>The session's output, whose flushes a test may watch or make fail.</summary>
    public HookedPipeWriter Output { get; }
    /// <summary>The session's <see cref="SmtpSession.RunAsync"/>.</summary>
    public Task Running { get; }

    public async Task SendAsync(string text) => await _toServer.Writer.WriteAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Whatever the session has written since the last read (at least one flush of it).</summary>
    public async Task<string> ReadAsync()
    {
        var result = await _toClient.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var text = Encoding.ASCII.GetString(result.Buffer.ToArray());
        _toClient.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    /// <summary>Reads until a reply holding <paramref name="code"/> has come; returns all that was read.</summary>
    public async Task<string> ReadUntilAsync(string code)
    {
        var replies = "";
        while (!replies.Contains(code)) replies += await ReadAsync();
        return replies;
    }

    /// <summary>Reads the greeting, sends a transaction's EHLO, MAIL, RCPT and DATA in one group, and reads up to the 354.</summary>
    public async Task StartDataAsync()
    {
        Assert.StartsWith("220 ", await ReadAsync());
        await SendAsync("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        await ReadUntilAsync("354");
    }

    /// <summary>Moves the fake clock forward until the session answers: the read timer is armed only once the session waits.</summary>
    public async Task<string> AdvanceUntilReplyAsync(TimeSpan step)
    {
        var read = ReadAsync();
        for (var i = 0; i < 200 && !read.IsCompleted; i++)
        {
            Time.Advance(step);
            await Task.WhenAny(read, Task.Delay(20));
        }

        return await read;
    }

    public void Dispose()
    {
        Queue.Dispose();
        Shutdown.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}

/// <summary>A pipe writer that runs <see cref="BeforeFlush"/> at each flush, before the flush itself (which it may make fail by throwing).</summary>
internal sealed class HookedPipeWriter(PipeWriter inner) : PipeWriter
{
    public Action? BeforeFlush { get; set; }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        BeforeFlush?.Invoke();
        return inner.FlushAsync(cancellationToken);
    }

    public override void Advance(int bytes) => inner.Advance(bytes);
    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    public override void CancelPendingFlush() => inner.CancelPendingFlush();
    public override void Complete(Exception? exception = null) => inner.Complete(exception);
}
