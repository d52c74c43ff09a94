namespace SmtpFailoverProxy.Spool;

/// <summary>
/// At start, the header of every slot (<see cref="SpoolFile"/>): queued messages, free slots, and slots
/// whose header says queued but cannot be read, which move to <c>corrupt/</c> (a queued message may be in
/// there; it is kept for an operator, never deleted). One small read per slot: the rest of a queued
/// message is checked when delivery first loads it.
/// </summary>
internal static class SlotScan
{
    public const string Extension = ".slot";

    public static SlotScanResult Run(string slots, string corrupt)
    {
        var result = new SlotScanResult();
        Span<byte> header = stackalloc byte[SpoolFile.HeaderLength];
        foreach (var path in Directory.EnumerateFiles(slots))
        {
            if (!path.EndsWith(Extension, StringComparison.Ordinal))
            {
                File.Delete(path);
                continue;
            }

            long length;
            int read;
            using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                length = RandomAccess.GetLength(file);
                read = RandomAccess.Read(file, header, 0);
            }

            var parsed = SpoolFile.ReadHeader(header[..read]);
            if (parsed is { Queued: true } && !result.Queued.ContainsKey(parsed.QueueId))
            {
                result.Queued[parsed.QueueId] = path;
            }
            else if (parsed is null && SpoolFile.StartsQueued(header[..read]))
            {
                Directory.CreateDirectory(corrupt);
                var target = Path.Combine(corrupt, Path.GetFileName(path));
                FileRename.Move(path, target);
                result.Quarantined.Add(target);
            }
            else
            {
                result.Free.Add((path, length));
            }
        }

        return result;
    }
}

/// <summary>What <see cref="SlotScan"/> found: queued messages by queue id, free slots with their lengths, quarantined slots.</summary>
internal sealed class SlotScanResult
{
    public Dictionary<string, string> Queued { get; } = new(StringComparer.Ordinal);
    public List<(string Path, long Length)> Free { get; } = [];
    public List<string> Quarantined { get; } = [];
}
