using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Tests.Providers.Ses;

/// <summary>What the provider makes of SES's answers, with a scripted client and a fake clock.</summary>
public sealed class SesProviderTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedSesClient _client = new();

    private SesProvider Provider(double? maxSendRate = null) =>
        new("ses", _client, new SesProviderOptions { Region = "ap-northeast-2", MaxSendRate = maxSendRate, AccountRefreshInterval = TimeSpan.FromMinutes(5) },
            _time, NullLogger<SesProvider>.Instance);

    private static OutboundMessage Message(params string[] recipients) =>
        new("0123456789ABCDEF0123456789ABCDEF", "app@example.com", recipients, () => new MemoryStream("Subject: x\r\n\r\nbody\r\n"u8.ToArray()), 20, false, false);

    [Fact]
    public async Task Accepted_send_delivers_every_recipient_and_keeps_the_SES_MessageId()
    {
        var result = await SendAsync(Provider(100), Message("a@example.com", "b@example.com"));

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.All(result.Recipients, r => Assert.Equal(RecipientStatus.Delivered, r.Status));
        Assert.Equal("ses-id-1", result.ProviderMessageId);
        Assert.Equal(["a@example.com", "b@example.com"], _client.LastEmail!.Recipients);
        using var raw = new MemoryStream();
        using (var source = _client.LastEmail.OpenRawMessage()) source.CopyTo(raw);
        Assert.Equal("Subject: x\r\n\r\nbody\r\n"u8.ToArray(), raw.ToArray());
        Assert.Equal(20, _client.LastEmail.Length);
    }

    [Fact]
    public async Task A_send_started_on_an_event_thread_builds_and_signs_its_request_on_the_thread_pool()
    {
        var provider = Provider(100);

        var result = await OffPoolThread.Start(() => provider.SendAsync(Message("a@example.com"), CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.True(_client.SentOnThreadPool);
    }

    [Theory]
    [InlineData("AccountSuspendedException", OutcomeClass.Suspended, RecipientStatus.Deferred)]
    [InlineData("TooManyRequestsException", OutcomeClass.Throttled, RecipientStatus.Deferred)]
    [InlineData("MessageRejected", OutcomeClass.MessageRejected, RecipientStatus.Failed)]
    public async Task Only_a_message_rejection_bounces(string code, OutcomeClass outcome, RecipientStatus status)
    {
        _client.NextError = new SesError(400, code, "scripted");

        var result = await SendAsync(Provider(100), Message("a@example.com"));

        Assert.Equal(outcome, result.Class);
        Assert.Equal(status, result.Recipients[0].Status);
        Assert.Contains(code, result.Recipients[0].Reply.Text);
    }

    [Fact]
    public async Task Pacing_follows_97_percent_of_the_account_MaxSendRate_and_rereads_it_after_the_refresh_interval()
    {
        _client.Account = new SesAccount(true, "HEALTHY", true, 50000, 5, 0);
        var provider = Provider();

        await SendAsync(provider, Message("a@example.com"));
        Assert.Equal(5 * SesProvider.PacingShare, provider.SendRate);
        Assert.Equal(1, _client.AccountReads);

        _client.Account = _client.Account with { MaxSendRate = 20 };
        _time.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(provider, Message("a@example.com"));
        Assert.Equal(1, _client.AccountReads);

        _time.Advance(TimeSpan.FromMinutes(5));
        await SendAsync(provider, Message("a@example.com"));
        Assert.Equal(2, _client.AccountReads);
        Assert.Equal(20 * SesProvider.PacingShare, provider.SendRate);
    }

    [Fact]
    public async Task Sends_arriving_during_the_first_account_read_wait_for_it_and_go_at_the_account_rate()
    {
        _client.Account = new SesAccount(true, "HEALTHY", true, 50000, 100, 0);
        _client.AccountGate = new TaskCompletionSource();
        var provider = Provider();
        var sends = Enumerable.Range(0, 5).Select(_ => provider.SendAsync(Message("a@example.com"), CancellationToken.None)).ToArray();

        _client.AccountGate.SetResult();
        var started = _time.GetUtcNow();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!sends.All(s => s.IsCompleted) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }

        Assert.All(sends, s => Assert.True(s.IsCompletedSuccessfully));
        // At the account's 100/s the five need 40 ms; reserved at the fallback 1/s they would need 4 s.
        Assert.True(_time.GetUtcNow() - started < TimeSpan.FromSeconds(1), $"took {_time.GetUtcNow() - started} of fake time");
        Assert.Equal(1, _client.AccountReads);
    }

    /// <summary>Sends, moving the fake clock while the pacer makes the send wait.</summary>
    private async Task<DeliveryResult> SendAsync(SesProvider provider, OutboundMessage message)
    {
        var send = provider.SendAsync(message, CancellationToken.None);
        for (var i = 0; i < 1000 && !send.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        return await send.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class ScriptedSesClient : ISesClient
    {
        private int _sent;
        public SesError? NextError { get; set; }
        public SesAccount Account { get; set; } = new(true, "HEALTHY", true, 50000, 14, 0);
        public SesRawEmail? LastEmail { get; private set; }
        public int AccountReads { get; private set; }
        public TaskCompletionSource? AccountGate { get; set; }

        public bool SentOnThreadPool { get; private set; }

        public Task<SesSendResult> SendRawEmailAsync(SesRawEmail email, CancellationToken cancellationToken)
        {
            SentOnThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            LastEmail = email;
            var error = NextError;
            NextError = null;
            return Task.FromResult(error is null ? new SesSendResult($"ses-id-{++_sent}", null) : new SesSendResult(null, error));
        }

        public async Task<SesAccountResult> GetAccountAsync(CancellationToken cancellationToken)
        {
            AccountReads++;
            if (AccountGate is { } gate) await gate.Task;
            return new SesAccountResult(Account, null);
        }
    }
}
