using System.Threading.Channels;

namespace SmtpFailoverProxy.Delivery;

/// <summary>
/// Which spooled messages are due for an attempt, and when the others will be. Due ids come out of
/// <see cref="Ready"/>; ids scheduled for later wait in a priority queue until a timer of the injected
/// <see cref="TimeProvider"/> moves them over. An id is held at most once.
/// </summary>
/// <remarks>
/// A delivery loop waiting on <see cref="Ready"/> goes on inside the call that made an id due, up to its
/// first wait (for a message the session has just acknowledged, its delivery's first write to the
/// upstream), so no id crosses to the thread pool: with one session sending, that hop and the spinning of
/// the workers it woke were half the proxy's CPU a message. The ids are therefore written out of the lock.
/// </remarks>
internal sealed class DeliveryQueue : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false, AllowSynchronousContinuations = true });
    private readonly PriorityQueue<string, DateTimeOffset> _waiting = new();
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ITimer _timer;

    public DeliveryQueue(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(_ => ReleaseDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Ids due now, in order.</summary>
    public ChannelReader<string> Ready => _ready.Reader;

    /// <summary>Ids waiting for their next attempt.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock) return _waiting.Count;
        }
    }

    /// <summary>Makes a message due now (a waiting delivery loop runs it on this thread, up to its first wait).</summary>
    public void Enqueue(string queueId) => Schedule(queueId, _timeProvider.GetUtcNow());

    /// <summary>Makes a message due at <paramref name="due"/>; ignored when the id is already held.</summary>
    public void Schedule(string queueId, DateTimeOffset due)
    {
        lock (_lock)
        {
            if (!_held.Add(queueId)) return;
            if (due > _timeProvider.GetUtcNow())
            {
                _waiting.Enqueue(queueId, due);
                ArmTimer();
                return;
            }
        }

        _ready.Writer.TryWrite(queueId);
    }

    /// <summary>Called by a worker that took <paramref name="queueId"/> from <see cref="Ready"/>.</summary>
    public void Taken(string queueId)
    {
        lock (_lock) _held.Remove(queueId);
    }

    private void ReleaseDue()
    {
        List<string>? due = null;
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            while (_waiting.TryPeek(out var id, out var at) && at <= now)
            {
                _waiting.Dequeue();
                (due ??= []).Add(id);
            }

            ArmTimer();
        }

        foreach (var id in due ?? []) _ready.Writer.TryWrite(id);
    }

    private void ArmTimer()
    {
        if (!_waiting.TryPeek(out _, out var due)) return;
        var wait = due - _timeProvider.GetUtcNow();
        _timer.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
