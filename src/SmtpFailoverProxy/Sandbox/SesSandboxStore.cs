using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// The sandbox's folder of sent messages: for each, <c>ID.eml</c> (the exact bytes), then <c>ID.json</c>
/// (the envelope), written as <c>ID.partial</c> and renamed into place once the .eml is whole: whoever sees
/// a .json finds both files whole.
/// </summary>
internal sealed class SesSandboxStore
{
    private readonly string _folder;

    public SesSandboxStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(_folder);
    }

    public void Save(string messageId, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> envelope)
    {
        WriteNew(Path.Combine(_folder, messageId + ".eml"), raw);
        var partial = Path.Combine(_folder, messageId + ".partial");
        WriteNew(partial, envelope);
        FileRename.Move(partial, Path.Combine(_folder, messageId + ".json"));
    }

    /// <summary>The stored envelopes, in the order of their names, as one JSON array.</summary>
    public string EnvelopesJson() =>
        "[" + string.Join(",", Directory.EnumerateFiles(_folder, "*.json").Order().Select(File.ReadAllText)) + "]";

    /// <summary>Deletes the stored messages, each .json before its .eml; a send in flight, whose .json is not
    /// there yet, keeps its files.</summary>
    public void Clear()
    {
        foreach (var json in Directory.EnumerateFiles(_folder, "*.json").ToList())
        {
            File.Delete(json);
            File.Delete(Path.ChangeExtension(json, ".eml"));
        }
    }

    // A new file, written at once. FileMode.CreateNew, not Create: .NET opens a Create file, locks it, then
    // truncates it, and ext4 starts writing back any file truncated to nothing when it is closed
    // (auto_da_alloc), in the closing call. Under 20 sessions that flush, the opens, and the renames with
    // File.Move's three lstat calls before each took half the sandbox's CPU (bench/RESULTS.md, 2026-12-03).
    private static void WriteNew(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.Write(file, bytes, 0);
    }
}
