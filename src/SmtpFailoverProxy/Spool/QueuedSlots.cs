using System.Collections.Concurrent;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Which slot holds which queued message: filled from the slots' headers at start, then by every commit,
/// emptied by every removal. The file system is not asked: this process is the spool's only writer.
/// </summary>
/// <remarks>
/// An outage queues every message for hours, so an entry is kept small: a slot named as
/// <see cref="RecycledFiles"/> names them (32 hex digits) is held as its <see cref="Guid"/>, not as its
/// path (about 150 bytes less per queued message); any other name as its path.
/// </remarks>
internal sealed class QueuedSlots(string folder)
{
    private readonly ConcurrentDictionary<string, SlotName> _slots = new(StringComparer.Ordinal);

    public int Count => _slots.Count;

    public IEnumerable<string> QueueIds => _slots.Keys;

    public void Add(string queueId, string path) => _slots[queueId] = SlotName.Of(folder, path);

    public bool TryGet(string queueId, out string path)
    {
        var found = _slots.TryGetValue(queueId, out var name);
        path = found ? name.PathIn(folder) : string.Empty;
        return found;
    }

    public bool TryRemove(string queueId, out string path)
    {
        var found = _slots.TryRemove(queueId, out var name);
        path = found ? name.PathIn(folder) : string.Empty;
        return found;
    }

    private readonly record struct SlotName(Guid Id, string? OtherPath)
    {
        // Called for every commit: looks at the path's parts in place, without allocating them.
        public static SlotName Of(string folder, string path)
        {
            var name = Path.GetFileName(path.AsSpan());
            Span<char> formatted = stackalloc char[32];
            return Path.GetDirectoryName(path.AsSpan()).SequenceEqual(folder)
                   && name.Length == 32 + SlotScan.Extension.Length
                   && name.EndsWith(SlotScan.Extension, StringComparison.Ordinal)
                   && Guid.TryParseExact(name[..32], "N", out var id)
                   && id.TryFormat(formatted, out _, "N") && formatted.SequenceEqual(name[..32]) // lower case, as PathIn writes it
                ? new SlotName(id, null)
                : new SlotName(Guid.Empty, path);
        }

        public string PathIn(string folder) => OtherPath ?? Path.Combine(folder, Id.ToString("N") + SlotScan.Extension);
    }
}
