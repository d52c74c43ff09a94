using System.Collections.Concurrent;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The free slots of <c>slots/</c>: files of delivered messages, marked free and written over in place by
/// the next messages instead of freeing one inode and allocating another for every message (PostgreSQL
/// recycles its WAL segments for the same reason). On ext4 without a journal that pair cost more CPU
/// than the rest of the spool's work together: each new file scanned past every recently freed inode;
/// and a sync that finds only data to write is shorter than one after renames (about 130 against 265 us
/// for a 4 KB message, measured on the development machine's ext4). The slot freed
/// last is taken first: its pages, dirtied by the free mark, are the ones the next message writes over
/// anyway. Only small files are kept, and only up to a budget of disk
/// (<see cref="Configuration.SpoolOptions.RecycleBytes"/>), large enough that the files of a burst the
/// upstream could not keep up with serve the next burst; the others are deleted.
/// </summary>
internal sealed class RecycledFiles
{
    /// <summary>Larger files are deleted, so a few big messages never take the whole budget.</summary>
    public const long MaxFileLength = 256 * 1024;

    /// <summary>The disk kept by default: 64 MB, about 14,000 files of 4 KB messages.</summary>
    public const long DefaultLimitBytes = 64L * 1024 * 1024;

    private readonly string _folder;
    private readonly SlotHandles _handles;
    private readonly long _limitBytes;
    private readonly ConcurrentStack<(string Path, long Length, bool Durable)> _files = new();
    private long _bytes;
    private int _count;

    /// <summary>
    /// The pool of <paramref name="folder"/>, holding the free slots found there at start; a slot deleted
    /// has its kept handle in <paramref name="handles"/> closed first.
    /// </summary>
    public RecycledFiles(string folder, SlotHandles handles, IEnumerable<(string Path, long Length)> free, long limitBytes = DefaultLimitBytes)
    {
        _folder = folder;
        _handles = handles;
        _limitBytes = limitBytes;
        // Found on disk, yet perhaps never synced since made: durable once a commit has synced the folder.
        foreach (var (path, length) in free) Return(path, length, durable: false);
    }

    /// <summary>Files waiting to be reused.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Their bytes, as last known (a file's length when it came to the pool).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// A slot to receive a message into: a kept one (<c>Reused</c>: it exists and has <c>Length</c> bytes,
    /// old ones to write over) or a new name in the folder. <c>Durable</c>: its name is known to be on
    /// disk, so syncing its bytes is enough to commit it. It leaves the pool until <see cref="Return"/>.
    /// </summary>
    public (string Path, long Length, bool Reused, bool Durable) Take()
    {
        if (_files.TryPop(out var file))
        {
            Release(file.Length);
            return (file.Path, file.Length, true, file.Durable);
        }

        return (NewName(), 0, false, false);
    }

    /// <summary>
    /// Gives back a slot marked free (a delivered message's, or one from <see cref="Take"/> never
    /// committed), or deletes it when it is too large or the budget is spent. <paramref name="durable"/>:
    /// its name is on disk (every committed slot's is).
    /// </summary>
    public void Return(string path, long length, bool durable)
    {
        if (TryReserve(length))
        {
            _files.Push((path, length, durable));
            return;
        }

        _handles.Forget(path);
        File.Delete(path);
    }

    private bool TryReserve(long length)
    {
        if (length > MaxFileLength) return false;
        if (Interlocked.Add(ref _bytes, length) > _limitBytes)
        {
            Interlocked.Add(ref _bytes, -length);
            return false;
        }

        Interlocked.Increment(ref _count);
        return true;
    }

    private void Release(long length)
    {
        Interlocked.Add(ref _bytes, -length);
        Interlocked.Decrement(ref _count);
    }

    private string NewName() => Path.Combine(_folder, Guid.NewGuid().ToString("N") + SlotScan.Extension);
}
