namespace SmtpFailoverProxy.Health;

/// <summary>A provider that can say whether its account may send, without sending (SES GetAccount).</summary>
internal interface IProviderHealthCheck
{
    /// <summary>Null when the provider could not be asked (no answer): that proves nothing either way.</summary>
    Task<ProviderHealth?> CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>What a health check found.</summary>
/// <param name="CanSend">The account may send (SES: SendingEnabled and EnforcementStatus not SHUTDOWN).</param>
/// <param name="Detail">What the provider said.</param>
/// <param name="Warnings">Signs of trouble ahead (probation, quota nearly used).</param>
/// <param name="Problem">When it cannot send, why: Suspended (the account) or ProviderMisconfigured (our credentials or setup).</param>
internal sealed record ProviderHealth(bool CanSend, string Detail, IReadOnlyList<string> Warnings, Providers.OutcomeClass Problem = Providers.OutcomeClass.Suspended);
