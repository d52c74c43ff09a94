using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Inbound;

/// <summary>The session's timeouts on a fake clock, over in-memory pipes.</summary>
public sealed class SmtpSessionTimeoutTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));
    private readonly MessageSpool _spool;
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly DeliveryQueue _queue;
    private readonly Task _session;

    public SmtpSessionTimeoutTests()
    {
        var options = new SmtpOptions
        {
            Hostname = "proxy.test", CommandTimeout = TimeSpan.FromMinutes(5), DataTimeout = TimeSpan.FromMinutes(3),
            MinDataRate = 1000, MinDataRateGrace = TimeSpan.FromSeconds(30),
        };
        _queue = new DeliveryQueue(_time);
        _spool = new MessageSpool(_root, _time);
        var session = new SmtpSession(new DuplexPipe(_toServer.Reader, _toClient.Writer), System.Net.IPAddress.Loopback, options, _spool, _queue, new SmtpFailoverProxy.Routing.MailClassifier(new MailClassOptions()), new SmtpFailoverProxy.Security.SmtpSecurityPolicy(options, _time), false,
            _time, NullLogger.Instance, _shutdown.Token, CancellationToken.None);
        _session = Task.Run(session.RunAsync);
    }

    [Fact]
    public async Task No_command_within_the_command_timeout_gets_421_4_4_2()
    {
        Assert.StartsWith("220 ", await ReadAsync());
        var reply = await AdvanceUntilReplyAsync(TimeSpan.FromMinutes(5));
        Assert.StartsWith("421 4.4.2", reply);
        await _session.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Activity_rearms_the_timer()
    {
        Assert.StartsWith("220 ", await ReadAsync());
        await SendAsync("NOOP\r\n");
        Assert.StartsWith("250 ", await ReadAsync());
        _time.Advance(TimeSpan.FromMinutes(4));
        await SendAsync("NOOP\r\n");
        Assert.StartsWith("250 ", await ReadAsync());
    }

    [Fact]
    public async Task Stalled_DATA_gets_421_after_the_data_timeout_and_nothing_is_queued()
    {
        Assert.StartsWith("220 ", await ReadAsync());
        await SendAsync("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        var replies = "";
        while (!replies.Contains("354")) replies += await ReadAsync();
        await SendAsync("Subject: half\r\n");

        Assert.StartsWith("421 4.4.2", await AdvanceUntilReplyAsync(TimeSpan.FromMinutes(3)));
        Assert.False(_queue.Ready.TryRead(out _));
        Assert.Empty(_spool.ListQueued());
    }

    [Fact]
    public async Task DATA_slower_than_the_minimum_rate_after_the_grace_period_is_cut_off_with_421()
    {
        Assert.StartsWith("220 ", await ReadAsync());
        await SendAsync("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
        var replies = "";
        while (!replies.Contains("354")) replies += await ReadAsync();

        await SendAsync("Subject: slow\r\n");
        _time.Advance(TimeSpan.FromSeconds(20));
        await SendAsync("a\r\n"); // within the grace period: fine
        _time.Advance(TimeSpan.FromSeconds(20));
        await SendAsync("b\r\n"); // 40 s for a few octets: far below 1000 octets/s

        Assert.StartsWith("421 4.4.2 Data rate too low", await ReadAsync());
        Assert.Empty(_spool.ListQueued());
    }

    [Fact]
    public async Task Host_shutdown_gets_421_4_3_2()
    {
        Assert.StartsWith("220 ", await ReadAsync());
        await _shutdown.CancelAsync();
        Assert.StartsWith("421 4.3.2", await ReadAsync());
    }

    /// <summary>Moves the fake clock forward until the session answers: the read timer is armed only once the session waits.</summary>
    private async Task<string> AdvanceUntilReplyAsync(TimeSpan step)
    {
        var read = ReadAsync();
        for (var i = 0; i < 200 && !read.IsCompleted; i++)
        {
            _time.Advance(step);
            await Task.WhenAny(read, Task.Delay(20));
        }

        return await read;
    }

    private async Task SendAsync(string text) => await _toServer.Writer.WriteAsync(Encoding.ASCII.GetBytes(text));

    private async Task<string> ReadAsync()
    {
        var result = await _toClient.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var text = Encoding.ASCII.GetString(result.Buffer.ToArray());
        _toClient.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    public void Dispose()
    {
        _queue.Dispose();
        _shutdown.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
