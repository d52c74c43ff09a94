using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.State;

namespace SmtpFailoverProxy.Circuits;

/// <summary>
/// Messages and recipients sent through one provider in the last 24 hours, as 24 hour-long buckets
/// (the shape of Polly's rolling health metrics): cheap, persisted, and exact to the hour.
/// </summary>
internal sealed class RollingQuota
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private readonly TimeProvider _time;
    private readonly IStateStore _store;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, Bucket> _buckets;

    public RollingQuota(string provider, int dailyLimit, int criticalReservePercent, TimeProvider time, IStateStore store)
    {
        Provider = provider;
        DailyLimit = dailyLimit;
        CriticalReservePercent = criticalReservePercent;
        _time = time;
        _store = store;
        // A restart does not reset the count.
        _buckets = new SortedDictionary<long, Bucket>(store.Load<Dictionary<long, Bucket>>(StoreKey) ?? []);
    }

    public string Provider { get; }
    public int DailyLimit { get; }
    public int CriticalReservePercent { get; }

    private string StoreKey => $"quota-{Provider}";

    /// <summary>Messages sent in the window.</summary>
    public int MessagesSent
    {
        get
        {
            lock (_lock)
            {
                Expire();
                return _buckets.Values.Sum(b => b.Messages);
            }
        }
    }

    /// <summary>Recipients sent to in the window.</summary>
    public int RecipientsSent
    {
        get
        {
            lock (_lock)
            {
                Expire();
                return _buckets.Values.Sum(b => b.Recipients);
            }
        }
    }

    /// <summary>
    /// Whether one more message of this class fits: ordinary mail may use the limit less the reserve,
    /// critical mail the whole limit.
    /// </summary>
    public bool HasRoomFor(MailClass mailClass)
    {
        var limit = mailClass == MailClass.Critical ? DailyLimit : DailyLimit - DailyLimit * CriticalReservePercent / 100;
        return MessagesSent < limit;
    }

    /// <summary>When the oldest counted hour leaves the window (room frees up then).</summary>
    public DateTimeOffset NextRoomAt
    {
        get
        {
            lock (_lock)
            {
                Expire();
                var oldest = _buckets.Count == 0 ? HourOf(_time.GetUtcNow()) : _buckets.Keys.First();
                return DateTimeOffset.FromUnixTimeSeconds(oldest * 3600) + Window;
            }
        }
    }

    public void Count(int recipients)
    {
        lock (_lock)
        {
            var hour = HourOf(_time.GetUtcNow());
            var bucket = _buckets.GetValueOrDefault(hour);
            _buckets[hour] = new Bucket(bucket.Messages + 1, bucket.Recipients + recipients);
            Expire();
            _store.Save(StoreKey, new Dictionary<long, Bucket>(_buckets));
        }
    }

    private void Expire()
    {
        var oldestKept = HourOf(_time.GetUtcNow() - Window) + 1;
        foreach (var hour in _buckets.Keys.Where(h => h < oldestKept).ToList()) _buckets.Remove(hour);
    }

    private static long HourOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / 3600;

    /// <summary>One hour's counts.</summary>
    public readonly record struct Bucket(int Messages, int Recipients);
}
