using System.Collections.Concurrent;
using System.Net;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Security;

/// <summary>
/// Limits that span sessions: open sessions, in all and per address, DATA transfers in progress, and
/// messages and recipients per address per minute (a sliding window on the injected <see cref="TimeProvider"/>).
/// </summary>
internal sealed class ClientLimits(SmtpOptions options, TimeProvider timeProvider)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<IPAddress, int> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, Queue<(DateTimeOffset At, int Count)>> _messages = new();
    private readonly ConcurrentDictionary<IPAddress, Queue<(DateTimeOffset At, int Count)>> _recipients = new();
    private int _dataTransfers;
    private int _sessions;

    /// <summary>Counts a new session, whatever its address, until <see cref="EndSession"/>; returns how many are open with it.</summary>
    public int StartSession() => Interlocked.Increment(ref _sessions);

    public void EndSession() => Interlocked.Decrement(ref _sessions);

    /// <summary>Asked by a session: it is the only one open, so no other message can come in meanwhile.</summary>
    public bool IsOnlySession => Volatile.Read(ref _sessions) == 1;

    /// <summary>Counts a new connection; false (and not counted) when the address has too many open.</summary>
    public bool TryOpenConnection(IPAddress? address)
    {
        if (address is null) return true;
        var open = _connections.AddOrUpdate(address, 1, (_, n) => n + 1);
        if (open <= options.MaxConnectionsPerClient) return true;
        CloseConnection(address);
        return false;
    }

    public void CloseConnection(IPAddress? address)
    {
        if (address is null) return;
        if (_connections.AddOrUpdate(address, 0, (_, n) => n - 1) <= 0) _connections.TryRemove(KeyValuePair.Create(address, 0));
    }

    /// <summary>Takes a DATA slot; false when <c>Smtp:MaxConcurrentData</c> transfers are under way.</summary>
    public bool TryStartData()
    {
        if (Interlocked.Increment(ref _dataTransfers) <= options.MaxConcurrentData) return true;
        Interlocked.Decrement(ref _dataTransfers);
        return false;
    }

    public void EndData() => Interlocked.Decrement(ref _dataTransfers);

    /// <summary>Counts one message for the address; false when it is over its per-minute limit.</summary>
    public bool TryCountMessage(IPAddress? address) => TryCount(_messages, address, 1, options.MaxMessagesPerClientPerMinute);

    /// <summary>Counts one recipient for the address; false when it is over its per-minute limit.</summary>
    public bool TryCountRecipient(IPAddress? address) => TryCount(_recipients, address, 1, options.MaxRecipientsPerClientPerMinute);

    private bool TryCount(ConcurrentDictionary<IPAddress, Queue<(DateTimeOffset At, int Count)>> table, IPAddress? address, int count, int limit)
    {
        if (limit == 0 || address is null) return true;
        var window = table.GetOrAdd(address, _ => new Queue<(DateTimeOffset, int)>());
        lock (window)
        {
            var now = timeProvider.GetUtcNow();
            while (window.Count > 0 && window.Peek().At <= now - Minute) window.Dequeue();
            if (window.Sum(e => e.Count) + count > limit) return false;
            window.Enqueue((now, count));
            return true;
        }
    }
}
