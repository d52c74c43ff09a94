using System.Threading.Channels;

namespace SmtpFailoverProxy.Circuits;

/// <summary>
/// Circuit transitions, in the order they happened, for whoever reports them (the log now; Slack and
/// Jira alerts later). Publishing never blocks; the last 100 events are kept for the status API.
/// </summary>
internal sealed class CircuitEventBus
{
    private readonly Channel<CircuitEvent> _channel = Channel.CreateUnbounded<CircuitEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<CircuitEvent> _recent = new();
    private readonly Lock _lock = new();

    public ChannelReader<CircuitEvent> Reader => _channel.Reader;

    public void Publish(CircuitEvent circuitEvent)
    {
        lock (_lock)
        {
            _recent.Enqueue(circuitEvent);
            if (_recent.Count > 100) _recent.Dequeue();
            _channel.Writer.TryWrite(circuitEvent);
        }
    }

    public IReadOnlyList<CircuitEvent> Recent
    {
        get
        {
            lock (_lock) return _recent.ToArray();
        }
    }
}
