namespace SmtpFailoverProxy.Circuits;

/// <summary>Where a provider's circuit stands.</summary>
public enum CircuitState
{
    /// <summary>Traffic flows.</summary>
    Closed,

    /// <summary>No traffic until the open period ends (and, after a suspension, a canary succeeds).</summary>
    Open,

    /// <summary>One trial is under way; its outcome closes or reopens the circuit.</summary>
    HalfOpen,

    /// <summary>Opened by an operator; only an operator closes it.</summary>
    Isolated,
}
