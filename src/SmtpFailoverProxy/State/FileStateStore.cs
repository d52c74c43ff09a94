using System.Text.Json;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.State;

/// <summary>One JSON file per key, replaced atomically (write, fsync, rename, fsync the folder).</summary>
internal sealed class FileStateStore : IStateStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private readonly string _path;
    private readonly Lock _lock = new();

    public FileStateStore(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(_path);
    }

    public T? Load<T>(string key)
    {
        var file = FileOf(key);
        lock (_lock)
        {
            if (!File.Exists(file)) return default;
            try
            {
                return JsonSerializer.Deserialize<T>(File.ReadAllBytes(file), Json);
            }
            catch (JsonException)
            {
                return default; // A damaged state file means "nothing known", never a failed start.
            }
        }
    }

    public void Save<T>(string key, T value)
    {
        var file = FileOf(key);
        lock (_lock) DurableJsonFile.Write(file, file + ".tmp", value, Json);
    }

    private string FileOf(string key) =>
        Path.Combine(_path, new string(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()) + ".json");
}
