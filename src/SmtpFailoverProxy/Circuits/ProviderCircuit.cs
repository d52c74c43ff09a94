using Polly;
using Polly.CircuitBreaker;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.State;

namespace SmtpFailoverProxy.Circuits;

/// <summary>
/// The one owner of a provider's circuit. Under one lock it holds the states that come from what a
/// provider says about itself (suspended, out of quota, misconfigured) and the operator's isolation;
/// transient failures go to Polly's failure-ratio breaker beside it, which only opens inside an
/// execution (never gated by reading its state). Transitions are saved, then published in order.
/// </summary>
internal sealed class ProviderCircuit
{
    private readonly CircuitOptions _options;
    private readonly TimeProvider _time;
    private readonly CircuitEventBus _events;
    private readonly IStateStore _store;
    private readonly Lock _lock = new();
    private readonly CircuitBreakerStateProvider _ratioState = new();
    private readonly ResiliencePipeline<DeliveryResult> _ratioBreaker;
    private CircuitSnapshot _snapshot;

    public ProviderCircuit(string provider, CircuitOptions options, TimeProvider time, CircuitEventBus events, IStateStore store)
    {
        Provider = provider;
        _options = options;
        _time = time;
        _events = events;
        _store = store;
        // A restart during a suspension keeps the circuit open: it does not hammer SES.
        _snapshot = store.Load<CircuitSnapshot>(StoreKey) ?? new CircuitSnapshot(provider, CircuitState.Closed, null, null, null, 0);
        if (_snapshot.State == CircuitState.HalfOpen) _snapshot = _snapshot with { State = CircuitState.Open };

        _ratioBreaker = new ResiliencePipelineBuilder<DeliveryResult> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryResult>
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _ratioState,
                ShouldHandle = new PredicateBuilder<DeliveryResult>().Handle<Exception>().HandleResult(r => r.Class == OutcomeClass.Transient),
                OnOpened = _ => Publish("FailureRatioOpened"),
                OnHalfOpened = _ => Publish("FailureRatioHalfOpened"),
                OnClosed = _ => Publish("FailureRatioClosed"),
            })
            .Build();
    }

    public string Provider { get; }

    private string StoreKey => $"circuit-{Provider}";

    public CircuitSnapshot Snapshot
    {
        get
        {
            lock (_lock) return _snapshot;
        }
    }

    /// <summary>The failure-ratio breaker's state (Polly's), for the status API only.</summary>
    public CircuitState FailureRatioState => _ratioState.CircuitState switch
    {
        Polly.CircuitBreaker.CircuitState.Open => CircuitState.Open,
        Polly.CircuitBreaker.CircuitState.HalfOpen => CircuitState.HalfOpen,
        Polly.CircuitBreaker.CircuitState.Isolated => CircuitState.Isolated,
        _ => CircuitState.Closed,
    };

    /// <summary>
    /// May ordinary mail go to this provider now? An open period that has run out turns into one trial
    /// (half-open), except after a suspension: then only the canary may close the circuit.
    /// </summary>
    public bool AllowsTraffic()
    {
        lock (_lock)
        {
            switch (_snapshot.State)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when _snapshot.Reason != OutcomeClass.Suspended && _time.GetUtcNow() >= _snapshot.OpenUntil:
                    Transition("HalfOpened", _snapshot with { State = CircuitState.HalfOpen });
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>True when a suspension's open period has run out and the canary should decide.</summary>
    public bool CanaryDue
    {
        get
        {
            lock (_lock) return _snapshot is { State: CircuitState.Open, Reason: OutcomeClass.Suspended } && _time.GetUtcNow() >= _snapshot.OpenUntil;
        }
    }

    /// <summary>Sends through the failure-ratio breaker; null when that breaker is open.</summary>
    public async Task<DeliveryResult?> ExecuteAsync(Func<CancellationToken, Task<DeliveryResult>> send, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await _ratioBreaker.ExecuteOutcomeAsync(
                static async (ctx, state) => Outcome.FromResult(await state(ctx.CancellationToken)), context, send);
            if (outcome.Exception is BrokenCircuitException) return null;
            outcome.ThrowIfException();
            return outcome.Result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// True when <see cref="Report"/> of <paramref name="result"/> would change nothing, so write no state
    /// file: a delivery or a rejection through a closed circuit. Unless the circuit changes meanwhile
    /// (then one transition is saved where the caller stands).
    /// </summary>
    public bool ReportChangesNothing(DeliveryResult result)
    {
        if (result.Class is not (OutcomeClass.Delivered or OutcomeClass.MessageRejected)) return false;
        lock (_lock) return _snapshot.State == CircuitState.Closed;
    }

    /// <summary>Takes in what an attempt said about the provider.</summary>
    public void Report(DeliveryResult result)
    {
        var detail = result.SummaryReply.ToString();
        switch (result.Class)
        {
            case OutcomeClass.Suspended:
                Open(OutcomeClass.Suspended, _options.SuspensionOpenDuration, detail);
                break;
            case OutcomeClass.QuotaExhausted:
                Open(OutcomeClass.QuotaExhausted, _options.QuotaOpenDuration, detail);
                break;
            case OutcomeClass.ProviderMisconfigured:
                Open(OutcomeClass.ProviderMisconfigured, _options.MisconfiguredProbeInterval, detail);
                break;
            case OutcomeClass.Delivered or OutcomeClass.MessageRejected:
                lock (_lock)
                {
                    if (_snapshot.State == CircuitState.HalfOpen) Transition("Closed", Closed("trial succeeded"));
                }

                break;
            default:
                lock (_lock)
                {
                    // The trial failed: open again for the same reason.
                    if (_snapshot.State == CircuitState.HalfOpen)
                    {
                        Transition("Opened", _snapshot with { State = CircuitState.Open, Detail = detail, OpenUntil = _time.GetUtcNow() + DurationFor(_snapshot.Reason) });
                    }
                }

                break;
        }
    }

    /// <summary>Opens for <paramref name="reason"/> (a failed send, the health poller, the quota). An open circuit is not reopened; an isolated one is left alone.</summary>
    public void Open(OutcomeClass reason, TimeSpan duration, string detail)
    {
        lock (_lock)
        {
            if (_snapshot.State is CircuitState.Isolated or CircuitState.Open) return;
            Transition("Opened", new CircuitSnapshot(Provider, CircuitState.Open, reason, detail, _time.GetUtcNow() + duration, 0));
        }
    }

    public void CanarySucceeded(string detail)
    {
        lock (_lock)
        {
            if (_snapshot.State == CircuitState.Open) Transition("Closed", Closed($"canary passed: {detail}"));
        }
    }

    /// <summary>Keeps the circuit open longer: the extension grows with each failed canary, up to a cap.</summary>
    public void CanaryFailed(string detail)
    {
        lock (_lock)
        {
            if (_snapshot.State != CircuitState.Open) return;
            var factor = Math.Pow(_options.CanaryExtensionGrowth, _snapshot.CanaryFailures);
            var extension = TimeSpan.FromTicks((long)Math.Min(_options.CanaryFailureExtension.Ticks * factor, _options.MaxCanaryExtension.Ticks));
            Transition("Extended", _snapshot with { Detail = $"canary failed: {detail}", OpenUntil = _time.GetUtcNow() + extension, CanaryFailures = _snapshot.CanaryFailures + 1 });
        }
    }

    public void Isolate(string note)
    {
        lock (_lock) Transition("Isolated", new CircuitSnapshot(Provider, CircuitState.Isolated, null, note, null, 0));
    }

    public void Reset(string note)
    {
        lock (_lock)
        {
            if (_snapshot.State != CircuitState.Closed) Transition("Closed", Closed(note));
        }
    }

    /// <summary>A warning that changes no state (probation, quota nearly used).</summary>
    public void Warn(string detail) => _events.Publish(new CircuitEvent(_time.GetUtcNow(), "Warning", Snapshot with { Detail = detail }));

    private CircuitSnapshot Closed(string detail) => new(Provider, CircuitState.Closed, null, detail, null, 0);

    private TimeSpan DurationFor(OutcomeClass? reason) => reason switch
    {
        OutcomeClass.Suspended => _options.SuspensionOpenDuration,
        OutcomeClass.QuotaExhausted => _options.QuotaOpenDuration,
        OutcomeClass.ProviderMisconfigured => _options.MisconfiguredProbeInterval,
        _ => _options.BreakDuration,
    };

    // Under _lock: change, save, then publish, so events come out in the order of the changes.
    private void Transition(string kind, CircuitSnapshot next)
    {
        _snapshot = next;
        _store.Save(StoreKey, next);
        _events.Publish(new CircuitEvent(_time.GetUtcNow(), kind, next));
    }

    private ValueTask Publish(string kind)
    {
        _events.Publish(new CircuitEvent(_time.GetUtcNow(), kind, Snapshot with { Reason = OutcomeClass.Transient }));
        return ValueTask.CompletedTask;
    }
}
