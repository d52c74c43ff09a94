using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.State;

namespace SmtpFailoverProxy.Tests.Routing;

/// <summary>
/// Where the router goes on after a provider's reply came in on a thread outside the thread pool, as a
/// socket event thread is: state files (fsync) are never written there; a plain delivery stays there.
/// </summary>
public sealed class RouterThreadTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly CircuitOptions _options = new();
    private readonly ThreadRecordingStore _store = new();

    private FailoverRouter Router(params ProviderRoute[] routes) =>
        new(routes.ToDictionary(r => r.Name), new RoutingPolicy(new RoutingOptions { Order = routes.Select(r => r.Name).ToList() }, null), _options, _time,
            NullLogger<FailoverRouter>.Instance);

    private ProviderRoute Route(IEmailProvider provider, bool quota) =>
        new(provider, new ProviderCircuit(provider.Name, _options, _time, new CircuitEventBus(), _store),
            quota ? new RollingQuota(provider.Name, 100, 0, _time, _store) : null, false);

    private static OutboundMessage Message() => new("Q1", "app@example.com", ["a@example.com"], () => new MemoryStream(), 0, false, false);

    /// <summary>
    /// Routes one message whose replies come from threads of their own; returns the result and the thread
    /// the router finished on (its managed id, and whether it is a thread-pool thread). Started from the
    /// thread pool without a synchronization context, as the delivery loops are.
    /// </summary>
    private static async Task<(DeliveryResult Result, int FinishedOn, bool OnPool)> RouteAsync(FailoverRouter router, params ReplyingProvider[] providers)
    {
        var routed = Task.Run(() => router.RouteAsync(Message(), CancellationToken.None))
            .ContinueWith(t => (t.Result, Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread), TaskContinuationOptions.ExecuteSynchronously);
        foreach (var provider in providers)
        {
            // Each provider in turn, once the router waits for it.
            await provider.Called.WaitAsync(TimeSpan.FromSeconds(10));
            provider.Reply();
        }

        return await routed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_delivery_through_a_closed_circuit_without_a_quota_finishes_on_the_replying_thread()
    {
        var ses = new ReplyingProvider("ses", OutcomeClass.Delivered);

        var (result, finishedOn, onPool) = await RouteAsync(Router(Route(ses, quota: false)), ses);

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(ses.ReplyThreadId, finishedOn);
        Assert.False(onPool);
        Assert.Empty(_store.Saves);
    }

    [Fact]
    public async Task A_quota_counted_after_the_reply_is_saved_from_the_thread_pool()
    {
        var gmail = new ReplyingProvider("gmail", OutcomeClass.Delivered);

        var (result, finishedOn, onPool) = await RouteAsync(Router(Route(gmail, quota: true)), gmail);

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.NotEqual(gmail.ReplyThreadId, finishedOn);
        Assert.True(onPool);
        Assert.NotEmpty(_store.Saves);
        Assert.All(_store.Saves, onPool => Assert.True(onPool));
    }

    [Fact]
    public async Task A_circuit_opened_by_the_reply_and_the_failover_after_it_save_from_the_thread_pool()
    {
        var ses = new ReplyingProvider("ses", OutcomeClass.Suspended);
        var gmail = new ReplyingProvider("gmail", OutcomeClass.Delivered);

        var (result, _, _) = await RouteAsync(Router(Route(ses, quota: false), Route(gmail, quota: true)), ses, gmail);

        Assert.Equal("gmail", result.Provider);
        Assert.True(_store.Saves.Count >= 2); // the circuit's transition, the quota's count
        Assert.All(_store.Saves, onPool => Assert.True(onPool));
    }

    /// <summary>Answers each send from a new thread, outside the pool, which then runs the caller's continuation.</summary>
    private sealed class ReplyingProvider(string name, OutcomeClass outcome) : IEmailProvider
    {
        private readonly TaskCompletionSource<DeliveryResult> _result = new();
        private readonly TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private OutboundMessage? _message;

        public string Name => name;
        public Task Called => _called.Task;
        public int ReplyThreadId { get; private set; }

        public Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
        {
            _message = message;
            _called.TrySetResult();
            return _result.Task;
        }

        public void Reply()
        {
            var status = outcome == OutcomeClass.Delivered ? RecipientStatus.Delivered : RecipientStatus.Deferred;
            var result = DeliveryResult.ForAll(name, outcome, _message!.Recipients, status, new UpstreamReply(status == RecipientStatus.Delivered ? 250 : 554, null, outcome.ToString()));
            var thread = new Thread(() => _result.SetResult(result)) { IsBackground = true, Name = "replying" };
            ReplyThreadId = thread.ManagedThreadId;
            thread.Start();
        }
    }

    /// <summary>Records, for each save, whether it ran on a thread-pool thread.</summary>
    private sealed class ThreadRecordingStore : IStateStore
    {
        private readonly Lock _lock = new();
        private readonly List<bool> _saves = [];

        public IReadOnlyList<bool> Saves
        {
            get
            {
                lock (_lock) return _saves.ToList();
            }
        }

        public T? Load<T>(string key) => default;

        public void Save<T>(string key, T value)
        {
            lock (_lock) _saves.Add(Thread.CurrentThread.IsThreadPoolThread);
        }
    }
}
