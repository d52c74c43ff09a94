using System.Collections.Concurrent;
using System.Net;

namespace SmtpFailoverProxy.Security;

/// <summary>
/// Failed AUTH attempts per client address in a sliding window; past the limit the address is blocked
/// from authenticating for a while. Times come from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AuthFailureTracker(int maxFailures, TimeSpan window, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<IPAddress, Queue<DateTimeOffset>> _failures = new();

    public bool IsBlocked(IPAddress? address)
    {
        if (address is null || !_failures.TryGetValue(address, out var times)) return false;
        lock (times)
        {
            Expire(times);
            return times.Count >= maxFailures;
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        if (address is null) return;
        var times = _failures.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Expire(times);
            times.Enqueue(timeProvider.GetUtcNow());
        }
    }

    private void Expire(Queue<DateTimeOffset> times)
    {
        var oldest = timeProvider.GetUtcNow() - window;
        while (times.Count > 0 && times.Peek() <= oldest) times.Dequeue();
    }
}
