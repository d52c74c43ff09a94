namespace SmtpFailoverProxy.Configuration;

/// <summary>What every provider section may say about its limits, beside its type's own keys.</summary>
public abstract class ProviderOptionsBase
{
    /// <summary>Messages per rolling 24 hours; at the limit the circuit opens for quota. <value>The default value is 2000 for <c>gmail</c>, none for others.</value></summary>
    public int? DailyLimit { get; set; }

    /// <summary>Only transactional and critical mail may use this provider; bulk waits. <value>The default value is true for <c>gmail</c>, false for others.</value></summary>
    public bool? TransactionalOnly { get; set; }

    /// <summary>The last part of <see cref="DailyLimit"/> kept for critical mail (password resets, codes), in percent. <value>The default value is 10 (0 to 90).</value></summary>
    public int CriticalReservePercent { get; set; } = 10;

    internal int? EffectiveDailyLimit(string name) => DailyLimit ?? (name.Equals("gmail", StringComparison.OrdinalIgnoreCase) ? 2000 : null);

    internal bool EffectiveTransactionalOnly(string name) => TransactionalOnly ?? name.Equals("gmail", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the type's own keys, then the limits; a bad value throws naming <paramref name="key"/>:Name.</summary>
    internal void Validate(string key)
    {
        ValidateType(key);
        ConfigurationException.ThrowIf(DailyLimit is < 1, $"{key}:DailyLimit", "must be at least 1");
        ConfigurationException.ThrowIf(CriticalReservePercent is < 0 or > 90, $"{key}:CriticalReservePercent", "must be between 0 and 90");
    }

    private protected abstract void ValidateType(string key);
}
