using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Delivery;

/// <summary>Exponential backoff: the initial delay, doubled after each attempt, capped.</summary>
internal sealed class RetrySchedule(TimeSpan initialDelay, TimeSpan maxDelay)
{
    public RetrySchedule(SpoolOptions options)
        : this(options.RetryInitialDelay, options.RetryMaxDelay)
    {
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt (1 = the first).</summary>
    public TimeSpan DelayAfter(int attempts)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ticks = initialDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
