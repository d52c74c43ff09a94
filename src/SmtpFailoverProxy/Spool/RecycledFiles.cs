using System.Collections.Concurrent;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The <c>free/</c> folder: files of delivered messages, written over in place by the next messages
/// instead of freeing one inode and allocating another for every message (PostgreSQL recycles its WAL
/// segments for the same reason). On ext4 without a journal that pair cost more CPU than the rest of the
/// spool's work together: each new file scanned past every recently freed inode. A message is received
/// into a file here and renamed into the queue at commit; whatever is in <c>free/</c> after a crash is
/// garbage by definition (never acknowledged, or already delivered). Only small files are kept, and only
/// so many; the others are deleted as before.
/// </summary>
internal sealed class RecycledFiles
{
    /// <summary>Files kept at most.</summary>
    public const int MaxFiles = 256;

    /// <summary>Larger files are deleted, so the pool never holds much disk.</summary>
    public const long MaxFileLength = 256 * 1024;

    private const string Extension = ".free";

    private readonly string _folder;
    private readonly ConcurrentQueue<string> _files = new();
    private int _count;

    public RecycledFiles(string folder)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (_count < MaxFiles && file.EndsWith(Extension, StringComparison.Ordinal) && new FileInfo(file).Length <= MaxFileLength)
            {
                _files.Enqueue(file);
                _count++;
            }
            else
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Files waiting to be reused.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// A file to receive a message into: a kept one (<c>Reused</c>: it exists and has old bytes to write
    /// over) or a new name in the folder. It leaves the pool until <see cref="Return"/> or a rename away.
    /// </summary>
    public (string Path, bool Reused) Take()
    {
        if (_files.TryDequeue(out var file))
        {
            Interlocked.Decrement(ref _count);
            return (file, true);
        }

        return (NewName(), false);
    }

    /// <summary>Gives back a file from <see cref="Take"/> that was not committed, or deletes it.</summary>
    public void Return(string path, long length)
    {
        if (TryReserve(length)) _files.Enqueue(path);
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
            _files.Enqueue(kept);
        }
        catch (IOException ex)
        {
            Interlocked.Decrement(ref _count);
            if (ex is not FileNotFoundException) throw; // Already gone is what the caller wanted.
        }
    }

    private bool TryReserve(long length)
    {
        if (length > MaxFileLength) return false;
        if (Interlocked.Increment(ref _count) <= MaxFiles) return true;
        Interlocked.Decrement(ref _count);
        return false;
    }

    private string NewName() => Path.Combine(_folder, Guid.NewGuid().ToString("N") + Extension);
}
