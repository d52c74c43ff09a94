using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Tests.Circuits;

namespace SmtpFailoverProxy.Tests.Routing;

/// <summary>Routing decisions with scripted providers, on a fake clock.</summary>
public sealed class FailoverRouterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly CircuitOptions _options = new() { ThrottleBackoff = TimeSpan.FromSeconds(1) };
    private readonly CircuitEventBus _events = new();
    private readonly MemoryStateStore _store = new();
    private readonly ScriptedProvider _ses = new("ses");
    private readonly ScriptedProvider _gmail = new("gmail");
    private readonly FailoverRouter _router;
    private readonly Dictionary<string, ProviderRoute> _routes;

    public FailoverRouterTests()
    {
        _routes = new Dictionary<string, ProviderRoute>
        {
            ["ses"] = new(_ses, new ProviderCircuit("ses", _options, _time, _events, _store), null, false),
            ["gmail"] = new(_gmail, new ProviderCircuit("gmail", _options, _time, _events, _store), new RollingQuota("gmail", 10, 20, _time, _store), true),
        };
        _router = new FailoverRouter(_routes, new RoutingPolicy(new RoutingOptions { Order = ["ses", "gmail"] }, null), _options, _time, NullLogger<FailoverRouter>.Instance);
    }

    private static OutboundMessage Message(MailClass mailClass = MailClass.Transactional) =>
        new("Q1", "app@example.com", ["a@example.com"], () => new MemoryStream(), 0, false, false) { MailClass = mailClass };

    private async Task<DeliveryResult> RouteAsync(OutboundMessage message)
    {
        var route = _router.RouteAsync(message, CancellationToken.None);
        for (var i = 0; i < 100 && !route.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(200));
            await Task.Yield();
        }

        return await route.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Suspended_primary_sends_the_same_message_through_the_secondary_in_the_same_attempt()
    {
        _ses.Next.Enqueue(OutcomeClass.Suspended);

        var result = await RouteAsync(Message());

        Assert.Equal("gmail", result.Provider);
        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(CircuitState.Open, _routes["ses"].Circuit.Snapshot.State);
        Assert.Equal(1, _ses.Calls);

        await RouteAsync(Message()); // the next message skips SES at once
        Assert.Equal(1, _ses.Calls);
        Assert.Equal(2, _gmail.Calls);
        Assert.Equal(2, _routes["gmail"].Quota!.MessagesSent);
    }

    [Fact]
    public async Task Bulk_mail_never_goes_to_a_transactional_only_provider_it_waits()
    {
        _ses.Next.Enqueue(OutcomeClass.Suspended);

        var result = await RouteAsync(Message(MailClass.Bulk));

        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
        Assert.Equal(0, _gmail.Calls);
    }

    [Fact]
    public async Task A_single_throttle_is_retried_on_the_same_provider_after_a_backoff_without_failover()
    {
        _ses.Next.Enqueue(OutcomeClass.Throttled);

        var result = await RouteAsync(Message());

        Assert.Equal("ses", result.Provider);
        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(2, _ses.Calls);
        Assert.Equal(0, _gmail.Calls);
        Assert.Equal(CircuitState.Closed, _routes["ses"].Circuit.Snapshot.State);
    }

    [Fact]
    public async Task A_message_rejection_bounces_without_burning_the_secondary()
    {
        _ses.Next.Enqueue(OutcomeClass.MessageRejected);

        var result = await RouteAsync(Message());

        Assert.Equal(RecipientStatus.Failed, result.Recipients[0].Status);
        Assert.Equal(0, _gmail.Calls);
    }

    [Fact]
    public async Task When_no_provider_can_take_it_the_message_is_deferred_with_the_reasons()
    {
        _ses.Next.Enqueue(OutcomeClass.Suspended);
        _gmail.Next.Enqueue(OutcomeClass.Suspended);

        var result = await RouteAsync(Message());
        var again = await RouteAsync(Message());

        Assert.Equal(RecipientStatus.Deferred, result.Recipients[0].Status);
        Assert.Equal("none", again.Provider);
        Assert.Contains("ses: circuit Open (Suspended)", again.SummaryReply.Text);
        Assert.Equal("4.4.5", again.SummaryReply.EnhancedCode);
    }

    [Fact]
    public async Task At_the_daily_limit_ordinary_mail_waits_and_critical_mail_uses_the_reserve()
    {
        _routes["ses"].Circuit.Isolate("test");
        for (var i = 0; i < 8; i++) Assert.Equal("gmail", (await RouteAsync(Message())).Provider);

        var ordinary = await RouteAsync(Message());
        var critical = await RouteAsync(Message(MailClass.Critical));

        Assert.Equal(RecipientStatus.Deferred, ordinary.Recipients[0].Status);
        Assert.Contains("reserved for critical mail", ordinary.SummaryReply.Text);
        Assert.Equal("gmail", critical.Provider);
        Assert.Equal(9, _gmail.Calls);
    }

    [Fact]
    public async Task A_transient_failure_moves_on_to_the_next_provider()
    {
        _ses.Next.Enqueue(OutcomeClass.Transient);

        var result = await RouteAsync(Message());

        Assert.Equal("gmail", result.Provider);
        Assert.Equal(CircuitState.Closed, _routes["ses"].Circuit.Snapshot.State);
    }

    private sealed class ScriptedProvider(string name) : IEmailProvider
    {
        public Queue<OutcomeClass> Next { get; } = new();
        public int Calls { get; private set; }
        public string Name => name;

        public Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
        {
            Calls++;
            var outcome = Next.TryDequeue(out var o) ? o : OutcomeClass.Delivered;
            var status = outcome switch
            {
                OutcomeClass.Delivered => RecipientStatus.Delivered,
                OutcomeClass.MessageRejected => RecipientStatus.Failed,
                _ => RecipientStatus.Deferred,
            };
            return Task.FromResult(DeliveryResult.ForAll(name, outcome, message.Recipients, status, new UpstreamReply(status == RecipientStatus.Delivered ? 250 : 451, null, outcome.ToString())));
        }
    }
}
