namespace SmtpFailoverProxy.Sandbox;

/// <summary>The sandbox's mode and counters, shared by its endpoints.</summary>
internal sealed class SesSandboxState
{
    private readonly Lock _lock = new();
    private SesSandboxMode _mode = SesSandboxMode.Healthy;
    private int? _remaining;

    public int LatencyMs { get; private set; }
    public int Sent { get; private set; }

    /// <summary>Sets the mode; with <paramref name="count"/>, only that many requests see it, then it returns to healthy.</summary>
    public void Set(SesSandboxMode mode, int? count, int latencyMs)
    {
        lock (_lock)
        {
            _mode = mode;
            _remaining = count;
            LatencyMs = latencyMs;
        }
    }

    /// <summary>The mode for one request (counting down a limited mode).</summary>
    public SesSandboxMode Take()
    {
        lock (_lock)
        {
            var mode = _mode;
            if (_remaining is { } left)
            {
                _remaining = left - 1;
                if (_remaining <= 0)
                {
                    _mode = SesSandboxMode.Healthy;
                    _remaining = null;
                }
            }

            return mode;
        }
    }

    /// <summary>The mode now, without counting a request.</summary>
    public SesSandboxMode Peek()
    {
        lock (_lock) return _mode;
    }

    public object Describe()
    {
        lock (_lock) return new { Mode = _mode.ToString(), Remaining = _remaining, LatencyMs, Sent };
    }

    public void CountSent()
    {
        lock (_lock) Sent++;
    }
}
