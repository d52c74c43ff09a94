using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Delivery;

/// <summary>The attempt bookkeeping: retries, expiry and DSNs, on a fake clock.</summary>
public sealed class MessageDelivererTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));
    private readonly SpoolOptions _options = new() { MaxAge = TimeSpan.FromHours(2), RetryInitialDelay = TimeSpan.FromMinutes(1), RetryMaxDelay = TimeSpan.FromMinutes(30) };
    private readonly MessageSpool _spool;
    private readonly DeliveryQueue _queue;
    private readonly ScriptedRouter _router = new();
    private readonly MessageDeliverer _deliverer;

    public MessageDelivererTests()
    {
        _spool = new MessageSpool(_root, _time);
        _queue = new DeliveryQueue(_time);
        _deliverer = new MessageDeliverer(_spool, _queue, _router, new RetrySchedule(_options), new DsnBuilder("proxy.test", _time),
            _options, _time, NullLogger<MessageDeliverer>.Instance);
    }

    [Fact]
    public async Task Deferred_recipients_are_saved_with_the_next_attempt_time_and_rescheduled()
    {
        var id = await AcceptAsync("app@example.com", "a@example.com", "b@example.com");
        _router.Next = Result(("a@example.com", RecipientStatus.Delivered, 250), ("b@example.com", RecipientStatus.Deferred, 451));

        await _deliverer.DeliverAsync(id, CancellationToken.None);

        var state = _spool.Load(id)!.State;
        Assert.Equal(["b@example.com"], state.PendingRecipients);
        Assert.Equal(1, state.Attempts);
        Assert.Equal(_time.GetUtcNow().AddMinutes(1), state.NextAttemptAt);
        Assert.Equal(1, _queue.WaitingCount);

        _router.Next = Result(("b@example.com", RecipientStatus.Delivered, 250));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(_queue.Ready.TryRead(out var due));
        await _deliverer.DeliverAsync(due!, CancellationToken.None);

        Assert.Equal(["b@example.com"], _router.LastRecipients); // a@ is not sent twice
        Assert.Null(_spool.Load(id));
    }

    [Fact]
    public async Task Message_still_deferred_after_MaxAge_bounces_with_4_4_7_and_leaves_the_spool()
    {
        var id = await AcceptAsync("app@example.com", "a@example.com");
        _router.Next = Result(("a@example.com", RecipientStatus.Deferred, 421));
        await _deliverer.DeliverAsync(id, CancellationToken.None);
        Assert.NotNull(_spool.Load(id));

        _time.Advance(TimeSpan.FromHours(2));
        await _deliverer.DeliverAsync(id, CancellationToken.None);

        Assert.Null(_spool.Load(id));
        var dsn = Assert.Single(_spool.ListQueued());
        var loaded = _spool.Load(dsn)!;
        Assert.Equal("", loaded.Envelope.Sender);
        Assert.Equal(["app@example.com"], loaded.Envelope.Recipients);
        using var content = loaded.OpenContent();
        var text = MimeMessage.Load(content).ToString();
        Assert.Contains("Status: 4.4.7", text);
        Assert.Contains("Final-Recipient: rfc822; a@example.com", text);
    }

    [Fact]
    public async Task Refused_recipient_of_a_null_sender_message_bounces_without_a_DSN()
    {
        var id = await AcceptAsync("", "a@example.com");
        _router.Next = Result(("a@example.com", RecipientStatus.Failed, 550));

        await _deliverer.DeliverAsync(id, CancellationToken.None);

        Assert.Empty(_spool.ListQueued());
    }

    [Theory]
    [InlineData("not a spool file at all")]
    [InlineData("SFP2\nSubject: x\r\n\r\nbody\r\n\n{\"QueueId\":\n0000000099\n")]
    [InlineData("SF")]
    public async Task Unreadable_spool_file_is_moved_to_corrupt_and_not_retried_or_sent(string content)
    {
        var id = QueueId.New(_time);
        File.WriteAllText(Path.Combine(_root, "queue", id + ".msg"), content);

        await _deliverer.DeliverAsync(id, CancellationToken.None);

        Assert.Empty(_spool.ListQueued());
        Assert.Equal(content, File.ReadAllText(Path.Combine(_root, "corrupt", id + ".msg")));
        Assert.Empty(_router.LastRecipients);
    }

    [Fact]
    public async Task A_message_in_memory_is_routed_where_its_delivery_starts_one_read_from_its_file_from_the_thread_pool()
    {
        // As when a delivery finished on a socket event thread takes the next message there.
        Task DeliverFromOwnThreadAsync(string id) =>
            OffPoolThread.Start(() => _deliverer.DeliverAsync(id, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));

        var inMemory = await AcceptAsync("app@example.com", "a@example.com");
        var onDisk = await AcceptAsync("app@example.com", "b@example.com");
        Assert.NotNull(_spool.Load(onDisk)); // takes it out of memory: the next load reads the file
        _router.Next = Result(("a@example.com", RecipientStatus.Delivered, 250));

        await DeliverFromOwnThreadAsync(inMemory);
        Assert.False(_router.RoutedOnThreadPool);

        _router.Next = Result(("b@example.com", RecipientStatus.Delivered, 250));
        await DeliverFromOwnThreadAsync(onDisk);
        Assert.True(_router.RoutedOnThreadPool);
        Assert.Empty(_spool.ListQueued());
    }

    private async Task<string> AcceptAsync(string sender, params string[] recipients)
    {
        var envelope = new MessageEnvelope(QueueId.New(_time), sender, recipients, _time.GetUtcNow(), "127.0.0.1", "client", false, false);
        using var entry = _spool.Begin(envelope);
        entry.Write("Subject: test\r\n\r\nbody\r\n"u8);
        await entry.CommitAsync();
        return envelope.QueueId;
    }

    private static DeliveryResult Result(params (string Recipient, RecipientStatus Status, int Code)[] outcomes) =>
        new("scripted", OutcomeClass.Delivered, outcomes.Select(o => new RecipientResult(o.Recipient, o.Status, new UpstreamReply(o.Code, null, "scripted"))).ToArray());

    public void Dispose()
    {
        _queue.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class ScriptedRouter : IDeliveryRouter
    {
        public DeliveryResult? Next { get; set; }
        public IReadOnlyList<string> LastRecipients { get; private set; } = [];
        public bool RoutedOnThreadPool { get; private set; }

        public Task<DeliveryResult> RouteAsync(OutboundMessage message, CancellationToken cancellationToken)
        {
            LastRecipients = message.Recipients;
            RoutedOnThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            return Task.FromResult(Next!);
        }
    }
}
