using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Health;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Tests.Circuits;

namespace SmtpFailoverProxy.Tests.Health;

public sealed class ProviderHealthMonitorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly CircuitOptions _options = new() { CanaryRecipient = "canary@example.com", HealthCheckInterval = TimeSpan.FromMinutes(5) };
    private readonly CircuitEventBus _events = new();
    private readonly HealthyProvider _ses = new();
    private readonly ProviderRoute _route;
    private readonly ProviderHealthMonitor _monitor;

    public ProviderHealthMonitorTests()
    {
        _route = new ProviderRoute(_ses, new ProviderCircuit("ses", _options, _time, _events, new MemoryStateStore()), null, false);
        _monitor = new ProviderHealthMonitor(new Dictionary<string, ProviderRoute> { ["ses"] = _route }, new CanaryProbe(_options, "proxy.test", _time),
            _options, _time, NullLogger<ProviderHealthMonitor>.Instance);
    }

    [Fact]
    public async Task Sending_disabled_opens_the_circuit_before_any_mail_fails_and_warnings_are_published()
    {
        _ses.Health = new ProviderHealth(false, "SendingEnabled=False", ["SES account is on PROBATION"]);

        await _monitor.RunOnceAsync(CancellationToken.None);

        Assert.Equal(CircuitState.Open, _route.Circuit.Snapshot.State);
        Assert.Equal(OutcomeClass.Suspended, _route.Circuit.Snapshot.Reason);
        Assert.Equal(0, _ses.Sends);
        Assert.Contains(_events.Recent, e => e.Kind == "Warning" && e.Snapshot.Detail!.Contains("PROBATION"));
    }

    [Fact]
    public async Task Refused_credentials_open_the_circuit_as_misconfigured_not_as_suspended()
    {
        _ses.Health = new ProviderHealth(false, "UnrecognizedClientException: invalid token", [], OutcomeClass.ProviderMisconfigured);

        await _monitor.RunOnceAsync(CancellationToken.None);

        Assert.Equal(OutcomeClass.ProviderMisconfigured, _route.Circuit.Snapshot.Reason);
        Assert.Equal(_time.GetUtcNow() + _options.MisconfiguredProbeInterval, _route.Circuit.Snapshot.OpenUntil);
    }

    [Fact]
    public async Task Health_is_polled_at_the_interval_not_every_round()
    {
        await _monitor.RunOnceAsync(CancellationToken.None);
        await _monitor.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, _ses.HealthChecks);
        _time.Advance(TimeSpan.FromMinutes(5));
        await _monitor.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, _ses.HealthChecks);
    }

    [Fact]
    public async Task Canary_fails_while_the_account_is_down_extending_the_circuit_then_passes_and_closes_it()
    {
        _route.Circuit.Open(OutcomeClass.Suspended, _options.SuspensionOpenDuration, "AccountSuspendedException");
        _ses.Health = new ProviderHealth(false, "SendingEnabled=False", []);
        _time.Advance(TimeSpan.FromMinutes(60));

        await _monitor.RunOnceAsync(CancellationToken.None);
        Assert.Equal(CircuitState.Open, _route.Circuit.Snapshot.State);
        Assert.Equal(_time.GetUtcNow().AddMinutes(60), _route.Circuit.Snapshot.OpenUntil);
        Assert.Equal(0, _ses.Sends);

        _ses.Health = new ProviderHealth(true, "SendingEnabled=True", []);
        _time.Advance(TimeSpan.FromMinutes(60));
        await _monitor.RunOnceAsync(CancellationToken.None);

        Assert.Equal(CircuitState.Closed, _route.Circuit.Snapshot.State);
        Assert.Equal(1, _ses.Sends);
        Assert.Equal(["canary@example.com"], _ses.LastRecipients);
        Assert.Contains("X-SmtpFailoverProxy-Canary: ses", _ses.LastContent);
    }

    private sealed class HealthyProvider : IEmailProvider, IProviderHealthCheck
    {
        public ProviderHealth Health { get; set; } = new(true, "SendingEnabled=True", []);
        public int Sends { get; private set; }
        public int HealthChecks { get; private set; }
        public IReadOnlyList<string> LastRecipients { get; private set; } = [];
        public string LastContent { get; private set; } = "";
        public string Name => "ses";

        public Task<ProviderHealth?> CheckHealthAsync(CancellationToken cancellationToken)
        {
            HealthChecks++;
            return Task.FromResult<ProviderHealth?>(Health);
        }

        public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
        {
            Sends++;
            LastRecipients = message.Recipients;
            using var reader = new StreamReader(message.OpenContent());
            LastContent = await reader.ReadToEndAsync(cancellationToken);
            return DeliveryResult.ForAll(Name, OutcomeClass.Delivered, message.Recipients, RecipientStatus.Delivered, new UpstreamReply(200, "2.0.0", "ok"));
        }
    }
}
