using System.Collections.Concurrent;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The <c>free/</c> folder: files of delivered messages, written over in place by the next messages
/// instead of freeing one inode and allocating another for every message (PostgreSQL recycles its WAL
/// segments for the same reason). On ext4 without a journal that pair cost more CPU than the rest of the
/// spool's work together: each new file scanned past every recently freed inode. A message is received
/// into a file here and renamed into the queue at commit; whatever is in <c>free/</c> after a crash is
/// garbage by definition (never acknowledged, or already delivered). Only small files are kept, and only
/// up to a budget of disk (<see cref="Configuration.SpoolOptions.RecycleBytes"/>), large enough that the
/// files of a burst the upstream could not keep up with serve the next burst; the others are deleted.
/// </summary>
internal sealed class RecycledFiles
{
    /// <summary>Larger files are deleted, so a few big messages never take the whole budget.</summary>
    public const long MaxFileLength = 256 * 1024;

    /// <summary>The disk kept by default: 64 MB, about 14,000 files of 4 KB messages.</summary>
    public const long DefaultLimitBytes = 64L * 1024 * 1024;

    private const string Extension = ".free";

    private readonly string _folder;
    private readonly long _limitBytes;
    private readonly ConcurrentQueue<(string Path, long Length)> _files = new();
    private long _bytes;
    private int _count;

    public RecycledFiles(string folder, long limitBytes = DefaultLimitBytes)
    {
        _folder = folder;
        _limitBytes = limitBytes;
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var length = file.EndsWith(Extension, StringComparison.Ordinal) ? new FileInfo(file).Length : long.MaxValue;
            if (TryReserve(length)) _files.Enqueue((file, length));
            else File.Delete(file);
        }
    }

    /// <summary>Files waiting to be reused.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Their bytes, as last known (a file's length when it came to the pool).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// A file to receive a message into: a kept one (<c>Reused</c>: it exists and has old bytes to write
    /// over) or a new name in the folder. It leaves the pool until <see cref="Return"/> or a rename away.
    /// </summary>
    public (string Path, bool Reused) Take()
    {
        if (_files.TryDequeue(out var file))
        {
            Release(file.Length);
            return (file.Path, true);
        }

        return (NewName(), false);
    }

    /// <summary>Gives back a file from <see cref="Take"/> that was not committed, or deletes it.</summary>
    public void Return(string path, long length)
    {
        if (TryReserve(length)) _files.Enqueue((path, length));
        else File.Delete(path);
    }

    /// <summary>Moves <paramref name="path"/> (a message file no longer needed) into the pool, or deletes it.</summary>
    public void Recycle(string path, long length)
    {
        if (!TryReserve(length))
        {
            File.Delete(path);
            return;
        }

        var kept = NewName();
        try
        {
            FileRename.Move(path, kept);
            _files.Enqueue((kept, length));
        }
        catch (IOException ex)
        {
            Release(length);
            if (ex is not FileNotFoundException) throw; // Already gone is what the caller wanted.
        }
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

    private string NewName() => Path.Combine(_folder, Guid.NewGuid().ToString("N") + Extension);
}
