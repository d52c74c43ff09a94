using System.Collections.Concurrent;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Tests.Inbound;

/// <summary>When an accepted message is handed to delivery: after its 250, and whatever becomes of the client.</summary>
public sealed class SmtpSessionQueueingTests : IDisposable
{
    private const string Content = "Subject: t\r\n\r\nbody\r\n.\r\n";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly InMemorySmtpSession _client = new(new SmtpOptions { Hostname = "proxy.test" });

    [Fact]
    public async Task A_message_is_queued_for_delivery_only_once_its_250_is_flushed()
    {
        await _client.StartDataAsync();
        var queuedAtFlush = new ConcurrentQueue<int>();
        _client.Output.BeforeFlush = () => queuedAtFlush.Enqueue(_client.Queue.Ready.Count);

        await _client.SendAsync(Content);
        Assert.StartsWith("250 2.0.0", await _client.ReadAsync());
        await Eventually.WaitUntilAsync(() => _client.Queue.Ready.Count == 1, Deadline);
        Assert.Equal([0], queuedAtFlush);
        Assert.True(_client.Queue.Ready.TryRead(out var id));
        Assert.Equal(id, Assert.Single(_client.Spool.ListQueued()));
    }

    [Fact]
    public async Task A_message_whose_250_cannot_be_sent_is_queued_all_the_same()
    {
        await _client.StartDataAsync();
        _client.Output.BeforeFlush = () => throw new IOException("Connection reset by peer (the test)");

        await _client.SendAsync(Content);
        await _client.Running.WaitAsync(Deadline);
        // Durable once committed: the client may try again, but this copy is delivered too (at least once).
        Assert.True(_client.Queue.Ready.TryRead(out var id));
        Assert.Equal(id, Assert.Single(_client.Spool.ListQueued()));
    }

    [Fact]
    public async Task A_message_followed_by_pipelined_commands_is_queued_before_their_replies_go_out()
    {
        await _client.StartDataAsync();
        var queuedAtFlush = new ConcurrentQueue<int>();
        _client.Output.BeforeFlush = () => queuedAtFlush.Enqueue(_client.Queue.Ready.Count);

        // RFC 2920: the 250 waits for the replies to the commands behind it; the delivery need not.
        await _client.SendAsync(Content + "NOOP\r\nQUIT\r\n");
        var replies = await _client.ReadUntilAsync("221 ");
        Assert.Matches("^250 2.0.0 .*\r\n250 .*\r\n221 ", replies);
        await _client.Running.WaitAsync(Deadline);
        Assert.Equal(1, queuedAtFlush.First());
        Assert.True(_client.Queue.Ready.TryRead(out var id));
        Assert.Equal(id, Assert.Single(_client.Spool.ListQueued()));
    }

    public void Dispose() => _client.Dispose();
}
