namespace SmtpFailoverProxy.Configuration;

/// <summary>The circuit breaker of each provider and the canary that closes it. Section <c>Circuit</c>.</summary>
public sealed class CircuitOptions
{
    /// <summary>How long a suspension signal keeps a provider's circuit open. <value>The default value is 60 minutes.</value></summary>
    public TimeSpan SuspensionOpenDuration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How much longer the circuit stays open after a failed canary. <value>The default value is 60 minutes.</value></summary>
    public TimeSpan CanaryFailureExtension { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Each further failed canary multiplies the extension by this. <value>The default value is 1 (no growth; 1 to 10).</value></summary>
    public double CanaryExtensionGrowth { get; set; } = 1;

    /// <summary>The longest extension. <value>The default value is 6 hours.</value></summary>
    public TimeSpan MaxCanaryExtension { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Re-probe interval of a misconfigured provider (credentials, identity). <value>The default value is 10 minutes.</value></summary>
    public TimeSpan MisconfiguredProbeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a provider-reported quota exhaustion keeps the circuit open. <value>The default value is 60 minutes.</value></summary>
    public TimeSpan QuotaOpenDuration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Failure-ratio breaker for transient errors (Polly): ratio. <value>The default value is 0.5.</value></summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Failure-ratio breaker: calls in the window before it may open. <value>The default value is 10.</value></summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>Failure-ratio breaker: the window. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failure-ratio breaker: open time before a half-open trial. <value>The default value is 30 seconds.</value></summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before the one retry on the same provider after a throttling answer. <value>The default value is 1 second.</value></summary>
    public TimeSpan ThrottleBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often SES GetAccount is polled for SendingEnabled and enforcement. <value>The default value is 5 minutes.</value></summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often circuits are checked for a due canary. <value>The default value is 15 seconds.</value></summary>
    public TimeSpan CanaryCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Our own address that receives the canary message; empty: the canary is the health check only.</summary>
    public string CanaryRecipient { get; set; } = string.Empty;

    /// <summary>Envelope and header sender of the canary. <value>The default value is the canary recipient.</value></summary>
    public string? CanarySender { get; set; }

    internal void Validate()
    {
        foreach (var (key, value) in new[]
                 {
                     ("SuspensionOpenDuration", SuspensionOpenDuration), ("CanaryFailureExtension", CanaryFailureExtension),
                     ("MaxCanaryExtension", MaxCanaryExtension), ("MisconfiguredProbeInterval", MisconfiguredProbeInterval),
                     ("QuotaOpenDuration", QuotaOpenDuration), ("SamplingDuration", SamplingDuration), ("BreakDuration", BreakDuration),
                     ("ThrottleBackoff", ThrottleBackoff), ("HealthCheckInterval", HealthCheckInterval), ("CanaryCheckInterval", CanaryCheckInterval),
                 })
        {
            ConfigurationException.ThrowIf(value <= TimeSpan.Zero, $"Circuit:{key}", "must be a positive duration");
        }

        ConfigurationException.ThrowIf(CanaryExtensionGrowth is < 1 or > 10, "Circuit:CanaryExtensionGrowth", "must be between 1 and 10");
        ConfigurationException.ThrowIf(FailureRatio is <= 0 or > 1, "Circuit:FailureRatio", "must be greater than 0 and at most 1");
        ConfigurationException.ThrowIf(MinimumThroughput < 2, "Circuit:MinimumThroughput", "must be at least 2");
        ConfigurationException.ThrowIf(SamplingDuration < TimeSpan.FromMilliseconds(500), "Circuit:SamplingDuration", "must be at least 00:00:00.5 (Polly's minimum)");
        ConfigurationException.ThrowIf(BreakDuration < TimeSpan.FromMilliseconds(500), "Circuit:BreakDuration", "must be at least 00:00:00.5 (Polly's minimum)");
        ConfigurationException.ThrowIf(CanaryRecipient.Length > 0 && !CanaryRecipient.Contains('@'), "Circuit:CanaryRecipient", "must be an address");
    }
}
