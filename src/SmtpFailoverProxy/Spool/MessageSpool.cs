using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The durable queue on disk: one file per accepted message (envelope and bytes), one small state file
/// beside it once an attempt leaves work. A message is in the queue from the rename in
/// <see cref="SpoolEntryWriter.Commit"/> until <see cref="Remove"/>.
/// </summary>
internal sealed class MessageSpool
{
    private readonly SpoolDirectories _directories;
    private readonly TimeProvider _timeProvider;

    public MessageSpool(string path, TimeProvider timeProvider)
    {
        _directories = new SpoolDirectories(path);
        _timeProvider = timeProvider;
        _directories.Prepare();
    }

    public string Root => _directories.Root;

    /// <summary>Starts writing a new message; see <see cref="SpoolEntryWriter"/>.</summary>
    public SpoolEntryWriter Begin(MessageEnvelope envelope) => new(_directories, envelope);

    /// <summary>The ids of all queued messages, oldest first.</summary>
    public IReadOnlyList<string> ListQueued() =>
        Directory.EnumerateFiles(_directories.Queue, "*" + SpoolFile.Extension)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(QueueId.IsValid)
            .Order(StringComparer.Ordinal)
            .ToList();

    public int Count => Directory.EnumerateFiles(_directories.Queue, "*" + SpoolFile.Extension).Count();

    /// <summary>Reads a queued message's envelope and state; null when it is gone.</summary>
    public SpooledMessage? Load(string queueId)
    {
        var path = _directories.MessagePath(queueId);
        MessageEnvelope envelope;
        long offset, length;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 4096);
            (envelope, offset, length) = SpoolFile.Read(file);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        var state = ReadState(queueId) ?? new DeliveryState(envelope.Recipients, 0, _timeProvider.GetUtcNow(), null);
        return new SpooledMessage(envelope, state, path, offset, length);
    }

    /// <summary>Replaces the state file atomically (write, fsync, rename).</summary>
    public void SaveState(string queueId, DeliveryState state)
    {
        var path = _directories.StatePath(queueId);
        var temp = Path.Combine(_directories.Temp, queueId + ".state");
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, state, SpoolFile.Json);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(_directories.Queue);
    }

    /// <summary>Removes a message and its state: it was delivered or bounced.</summary>
    public void Remove(string queueId)
    {
        File.Delete(_directories.MessagePath(queueId));
        File.Delete(_directories.StatePath(queueId));
    }

    private DeliveryState? ReadState(string queueId)
    {
        var path = _directories.StatePath(queueId);
        // Most messages never get a state file: no exception on that path.
        if (!File.Exists(path)) return null;
        try
        {
            using var file = File.OpenRead(path);
            return JsonSerializer.Deserialize<DeliveryState>(file, SpoolFile.Json);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
