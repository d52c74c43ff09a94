using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Circuits;

/// <summary>A provider circuit's state at one moment; also what the state store keeps.</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="State">Closed, open, half-open or isolated.</param>
/// <param name="Reason">Why it opened (Suspended, QuotaExhausted, ProviderMisconfigured, Transient), when not closed.</param>
/// <param name="Detail">The upstream's words or the operator's note.</param>
/// <param name="OpenUntil">When the open period ends.</param>
/// <param name="CanaryFailures">Failed canaries since it opened (drives the extension growth).</param>
public sealed record CircuitSnapshot(string Provider, CircuitState State, OutcomeClass? Reason, string? Detail, DateTimeOffset? OpenUntil, int CanaryFailures);
