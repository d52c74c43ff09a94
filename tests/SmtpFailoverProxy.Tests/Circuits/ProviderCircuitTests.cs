using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Tests.Circuits;

/// <summary>Every transition of a provider circuit, on a fake clock.</summary>
public sealed class ProviderCircuitTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly CircuitEventBus _events = new();
    private readonly MemoryStateStore _store = new();
    private readonly CircuitOptions _options = new() { CanaryExtensionGrowth = 2, MaxCanaryExtension = TimeSpan.FromHours(3) };

    private ProviderCircuit NewCircuit() => new("ses", _options, _time, _events, _store);

    private static DeliveryResult Result(OutcomeClass outcome) =>
        DeliveryResult.ForAll("ses", outcome, ["a@example.com"], outcome == OutcomeClass.Delivered ? RecipientStatus.Delivered : RecipientStatus.Deferred,
            new UpstreamReply(400, null, outcome.ToString()));

    [Fact]
    public void Suspension_opens_for_60_minutes_and_only_the_canary_closes_it()
    {
        var circuit = NewCircuit();
        circuit.Report(Result(OutcomeClass.Suspended));

        Assert.Equal(CircuitState.Open, circuit.Snapshot.State);
        Assert.Equal(_time.GetUtcNow().AddMinutes(60), circuit.Snapshot.OpenUntil);
        Assert.False(circuit.AllowsTraffic());
        Assert.False(circuit.CanaryDue);

        _time.Advance(TimeSpan.FromMinutes(60));
        Assert.True(circuit.CanaryDue);
        Assert.False(circuit.AllowsTraffic()); // mail waits for the canary, not for the clock

        circuit.CanarySucceeded("ok");
        Assert.Equal(CircuitState.Closed, circuit.Snapshot.State);
        Assert.True(circuit.AllowsTraffic());
    }

    [Fact]
    public void Failed_canaries_extend_the_open_period_growing_up_to_the_cap()
    {
        var circuit = NewCircuit();
        circuit.Report(Result(OutcomeClass.Suspended));
        _time.Advance(TimeSpan.FromMinutes(60));

        circuit.CanaryFailed("still suspended");
        Assert.Equal(_time.GetUtcNow().AddMinutes(60), circuit.Snapshot.OpenUntil);
        Assert.False(circuit.CanaryDue);

        _time.Advance(TimeSpan.FromMinutes(60));
        circuit.CanaryFailed("still suspended");
        Assert.Equal(_time.GetUtcNow().AddMinutes(120), circuit.Snapshot.OpenUntil);

        _time.Advance(TimeSpan.FromMinutes(120));
        circuit.CanaryFailed("still suspended");
        Assert.Equal(_time.GetUtcNow().AddHours(3), circuit.Snapshot.OpenUntil); // 240 min capped at 3 h
        Assert.Equal(3, circuit.Snapshot.CanaryFailures);
    }

    [Theory]
    [InlineData(OutcomeClass.Delivered, true)]
    [InlineData(OutcomeClass.MessageRejected, true)]
    [InlineData(OutcomeClass.Transient, false)]
    [InlineData(OutcomeClass.Throttled, false)]
    [InlineData(OutcomeClass.Suspended, false)]
    [InlineData(OutcomeClass.QuotaExhausted, false)]
    public void A_closed_circuit_says_which_reports_change_nothing(OutcomeClass outcome, bool nothing)
    {
        var circuit = NewCircuit();

        Assert.Equal(nothing, circuit.ReportChangesNothing(Result(outcome)));
        var before = circuit.Snapshot;
        circuit.Report(Result(outcome));
        if (nothing) Assert.Equal(before, circuit.Snapshot);
    }

    [Fact]
    public void A_half_open_circuit_changes_on_any_report()
    {
        var circuit = NewCircuit();
        circuit.Report(Result(OutcomeClass.QuotaExhausted));
        _time.Advance(TimeSpan.FromMinutes(60));
        Assert.True(circuit.AllowsTraffic()); // the trial

        Assert.False(circuit.ReportChangesNothing(Result(OutcomeClass.Delivered)));
        circuit.Report(Result(OutcomeClass.Delivered));
        Assert.Equal(CircuitState.Closed, circuit.Snapshot.State);
        Assert.True(circuit.ReportChangesNothing(Result(OutcomeClass.Delivered)));
    }

    [Theory]
    [InlineData(OutcomeClass.QuotaExhausted, 60)]
    [InlineData(OutcomeClass.ProviderMisconfigured, 10)]
    public void Quota_and_misconfiguration_open_then_allow_one_trial_that_closes_or_reopens(OutcomeClass reason, int minutes)
    {
        var circuit = NewCircuit();
        circuit.Report(Result(reason));
        Assert.False(circuit.AllowsTraffic());

        _time.Advance(TimeSpan.FromMinutes(minutes));
        Assert.True(circuit.AllowsTraffic());
        Assert.Equal(CircuitState.HalfOpen, circuit.Snapshot.State);
        Assert.False(circuit.AllowsTraffic()); // one trial at a time

        circuit.Report(Result(OutcomeClass.Transient));
        Assert.Equal(CircuitState.Open, circuit.Snapshot.State);
        Assert.Equal(reason, circuit.Snapshot.Reason);

        _time.Advance(TimeSpan.FromMinutes(minutes));
        Assert.True(circuit.AllowsTraffic());
        circuit.Report(Result(OutcomeClass.Delivered));
        Assert.Equal(CircuitState.Closed, circuit.Snapshot.State);
    }

    [Fact]
    public void Throttling_and_message_rejections_do_not_open_the_circuit()
    {
        var circuit = NewCircuit();
        circuit.Report(Result(OutcomeClass.Throttled));
        circuit.Report(Result(OutcomeClass.MessageRejected));
        Assert.Equal(CircuitState.Closed, circuit.Snapshot.State);
    }

    [Fact]
    public void Operator_isolation_holds_until_reset()
    {
        var circuit = NewCircuit();
        circuit.Isolate("maintenance");
        circuit.Report(Result(OutcomeClass.Suspended));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(CircuitState.Isolated, circuit.Snapshot.State);
        Assert.False(circuit.AllowsTraffic());

        circuit.Reset("done");
        Assert.True(circuit.AllowsTraffic());
    }

    [Fact]
    public void A_restart_during_a_suspension_keeps_the_circuit_open()
    {
        NewCircuit().Report(Result(OutcomeClass.Suspended));

        var afterRestart = NewCircuit();

        Assert.Equal(CircuitState.Open, afterRestart.Snapshot.State);
        Assert.Equal(OutcomeClass.Suspended, afterRestart.Snapshot.Reason);
        Assert.False(afterRestart.AllowsTraffic());
    }

    [Fact]
    public void Transitions_are_published_in_order()
    {
        var circuit = NewCircuit();
        circuit.Report(Result(OutcomeClass.Suspended));
        _time.Advance(TimeSpan.FromMinutes(60));
        circuit.CanaryFailed("no");
        _time.Advance(TimeSpan.FromMinutes(60));
        circuit.CanarySucceeded("yes");

        Assert.Equal(["Opened", "Extended", "Closed"], _events.Recent.Select(e => e.Kind));
        Assert.Equal([CircuitState.Open, CircuitState.Open, CircuitState.Closed], _events.Recent.Select(e => e.Snapshot.State));
    }

    [Fact]
    public async Task Failure_ratio_breaker_opens_after_enough_transient_failures_then_tries_again_after_the_break()
    {
        var circuit = NewCircuit();
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await circuit.ExecuteAsync(_ => Task.FromResult(Result(OutcomeClass.Transient)), CancellationToken.None));
        }

        Assert.Null(await circuit.ExecuteAsync(_ => Task.FromResult(Result(OutcomeClass.Delivered)), CancellationToken.None));
        Assert.Equal(CircuitState.Open, circuit.FailureRatioState);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.NotNull(await circuit.ExecuteAsync(_ => Task.FromResult(Result(OutcomeClass.Delivered)), CancellationToken.None));
        Assert.Equal(CircuitState.Closed, circuit.FailureRatioState);
        Assert.Contains(_events.Recent, e => e.Kind == "FailureRatioOpened");
    }
}
