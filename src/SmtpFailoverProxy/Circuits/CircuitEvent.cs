namespace SmtpFailoverProxy.Circuits;

/// <summary>One transition of a provider circuit, raised after the state changed.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">Opened, Extended, HalfOpened, Closed, Isolated, Warning.</param>
/// <param name="Snapshot">The circuit after the transition.</param>
public sealed record CircuitEvent(DateTimeOffset At, string Kind, CircuitSnapshot Snapshot);
