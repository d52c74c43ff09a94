namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// A token bucket that keeps sends under a rate (SES's MaxSendRate counts recipients per second).
/// Callers reserve their tokens in arrival order and wait, on the injected <see cref="TimeProvider"/>,
/// until the bucket has refilled enough. The bucket holds one token, so sends are evenly spaced and no
/// one-second window ever holds more than the rate (a burst allowance would double it in the first second).
/// </summary>
internal sealed class SendRatePacer(TimeProvider timeProvider, double ratePerSecond)
{
    private readonly Lock _lock = new();
    private double _rate = ratePerSecond;
    private double _tokens = 1;
    private long _lastRefill = timeProvider.GetTimestamp();

    /// <summary>Tokens per second.</summary>
    public double Rate
    {
        get
        {
            lock (_lock) return _rate;
        }
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value));
            lock (_lock)
            {
                Refill();
                _rate = value;
                _tokens = Math.Min(_tokens, Capacity);
            }
        }
    }

    private const double Capacity = 1;

    /// <summary>Waits until <paramref name="count"/> tokens are available and takes them.</summary>
    public async Task WaitAsync(int count, CancellationToken cancellationToken)
    {
        var wait = Reserve(count);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, timeProvider, cancellationToken);
    }

    /// <summary>Takes <paramref name="count"/> tokens now and returns how long to wait before using them.</summary>
    internal TimeSpan Reserve(int count)
    {
        lock (_lock)
        {
            Refill();
            _tokens -= count; // A reservation: later callers queue behind this one.
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }
    }

    private void Refill()
    {
        var now = timeProvider.GetTimestamp();
        _tokens = Math.Min(Capacity, _tokens + timeProvider.GetElapsedTime(_lastRefill, now).TotalSeconds * _rate);
        _lastRefill = now;
    }
}
