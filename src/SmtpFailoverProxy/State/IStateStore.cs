namespace SmtpFailoverProxy.State;

/// <summary>
/// Small durable state (circuits, quota counts) that must outlive a restart. The embedded default keeps
/// files under <c>State:Path</c>; a shared store (Redis) for several instances can replace it.
/// </summary>
public interface IStateStore
{
    /// <summary>The value saved under <paramref name="key"/>, or default.</summary>
    T? Load<T>(string key);

    /// <summary>Saves <paramref name="value"/> under <paramref name="key"/>, atomically.</summary>
    void Save<T>(string key, T value);
}
