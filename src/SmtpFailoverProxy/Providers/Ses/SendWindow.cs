namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// A hard cap beside <see cref="SendRatePacer"/>: at most <see cref="Limit"/> recipients in sends that
/// start within any one second, counted when each send really starts. The pacer spaces sends by their
/// planned times; a send whose timer fired late (a busy machine, a GC pause) would otherwise end up
/// close to the ones planned after it, and a second could hold more than the quota (51 at 50/s in one
/// benchmark run).
/// </summary>
internal sealed class SendWindow(TimeProvider timeProvider, int limit)
{
    private static readonly TimeSpan Span = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    // One start time per recipient of each send of the last second, oldest first.
    private readonly Queue<long> _starts = new();
    private int _limit = Math.Max(1, limit);

    /// <summary>Recipients per second (SES's MaxSendRate, rounded down; at least 1).</summary>
    public int Limit
    {
        get
        {
            lock (_lock) return _limit;
        }
        set
        {
            lock (_lock) _limit = Math.Max(1, value);
        }
    }

    /// <summary>Waits until a send to <paramref name="count"/> recipients fits in the last second, and counts it as started now.</summary>
    public async Task EnterAsync(int count, CancellationToken cancellationToken)
    {
        while (TryEnter(count) is { } wait)
        {
            await Task.Delay(wait, timeProvider, cancellationToken);
        }
    }

    /// <summary>Counts the send and returns null, or returns how long until enough earlier sends leave the window.</summary>
    internal TimeSpan? TryEnter(int count)
    {
        lock (_lock)
        {
            var now = timeProvider.GetTimestamp();
            while (_starts.Count > 0 && timeProvider.GetElapsedTime(_starts.Peek(), now) >= Span) _starts.Dequeue();
            // A message to more recipients than the limit can never fit: it waits for an empty window and counts as full.
            var needed = Math.Min(count, _limit);
            var excess = _starts.Count + needed - _limit;
            if (excess <= 0)
            {
                for (var i = 0; i < needed; i++) _starts.Enqueue(now);
                return null;
            }

            // The excess-th oldest start must leave first.
            return Span - timeProvider.GetElapsedTime(_starts.ElementAt(excess - 1), now);
        }
    }
}
