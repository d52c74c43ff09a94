using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Replaces a small JSON file so that a crash leaves either the old content or the new, never half:
/// write a temporary file, fsync it, rename it over the target, fsync the target's folder.
/// </summary>
internal static class DurableJsonFile
{
    public static void Write<T>(string path, string tempPath, T value, JsonSerializerOptions options)
    {
        using (var stream = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, options);
            stream.Flush(flushToDisk: true);
        }

        FileRename.Move(tempPath, path);
        DirectorySync.Flush(Path.GetDirectoryName(path)!);
    }
}
