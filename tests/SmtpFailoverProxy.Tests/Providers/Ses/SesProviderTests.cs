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
        Assert.Equal("Subject: x\r\n\r\nbody\r\n"u8.ToArray(), _client.LastEmail.RawMessage.ToArray());
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
    public async Task Pacing_follows_the_account_MaxSendRate_and_rereads_it_after_the_refresh_interval()
    {
        _client.Account = new SesAccount(true, "HEALTHY", true, 50000, 5, 0);
        var provider = Provider();

        await SendAsync(provider, Message("a@example.com"));
        Assert.Equal(5, provider.SendRate);
        Assert.Equal(1, _client.AccountReads);

        _client.Account = _client.Account with { MaxSendRate = 20 };
        _time.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(provider, Message("a@example.com"));
        Assert.Equal(1, _client.AccountReads);

        _time.Advance(TimeSpan.FromMinutes(5));
        await SendAsync(provider, Message("a@example.com"));
        Assert.Equal(2, _client.AccountReads);
        Assert.Equal(20, provider.SendRate);
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

        public Task<SesSendResult> SendRawEmailAsync(SesRawEmail email, CancellationToken cancellationToken)
        {
            LastEmail = email;
            var error = NextError;
            NextError = null;
            return Task.FromResult(error is null ? new SesSendResult($"ses-id-{++_sent}", null) : new SesSendResult(null, error));
        }

        public Task<SesAccountResult> GetAccountAsync(CancellationToken cancellationToken)
        {
            AccountReads++;
            return Task.FromResult(new SesAccountResult(Account, null));
        }
    }
}
