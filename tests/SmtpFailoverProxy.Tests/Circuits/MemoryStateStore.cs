using System.Text.Json;
using SmtpFailoverProxy.State;

namespace SmtpFailoverProxy.Tests.Circuits;

/// <summary>A state store in memory that round-trips through JSON like the file store.</summary>
internal sealed class MemoryStateStore : IStateStore
{
    private readonly Dictionary<string, string> _values = new();

    public T? Load<T>(string key) => _values.TryGetValue(key, out var json) ? JsonSerializer.Deserialize<T>(json) : default;

    public void Save<T>(string key, T value) => _values[key] = JsonSerializer.Serialize(value);
}
