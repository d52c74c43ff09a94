using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Open write handles of slots, kept between uses: a slot is written, committed, marked free when its
/// message is delivered, and written again, all through one handle opened once. Each open and close cost
/// several system calls (open, fstat, fstatfs and flock for .NET's advisory lock, then unlock and close):
/// two of each per message before, for one write and one byte. A handle belongs to whoever took it
/// until given back; the slot itself is owned by one party at a time (a writer, the queue, the pool), so
/// no handle is ever used by two. At most <paramref name="capacity"/> are kept open; beyond that, one
/// given back is closed.
/// </summary>
internal sealed class SlotHandles(int capacity = SlotHandles.DefaultCapacity) : IDisposable
{
    /// <summary>Handles kept open by default: far below any usual file-descriptor limit, beside the connections'.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ConcurrentDictionary<string, SafeFileHandle> _open = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Handles kept open now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The slot's kept handle, or a new one opened with <paramref name="mode"/> (<see cref="FileMode.CreateNew"/>
    /// for a new slot). Shared locks only (<see cref="FileShare.ReadWrite"/>): delivery reads a slot while its
    /// handle is kept.
    /// </summary>
    /// <exception cref="IOException">The slot cannot be opened (<see cref="FileNotFoundException"/> when it is gone).</exception>
    public SafeFileHandle Take(string path, FileMode mode = FileMode.Open) =>
        TryTakeKept(path, out var kept) ? kept : File.OpenHandle(path, mode, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Keeps <paramref name="handle"/> for the next use of the slot, or closes it when enough are kept.</summary>
    public void Give(string path, SafeFileHandle handle)
    {
        if (handle.IsClosed) return;
        if (Interlocked.Increment(ref _count) > capacity || !_open.TryAdd(path, handle))
        {
            Interlocked.Decrement(ref _count);
            handle.Dispose();
        }
    }

    /// <summary>Closes the slot's kept handle, if any: the slot is about to be deleted or moved away.</summary>
    public void Forget(string path)
    {
        if (TryTakeKept(path, out var kept)) kept.Dispose();
    }

    /// <summary>Removes the slot's kept handle from the kept ones, if there is one, and hands it to the caller.</summary>
    private bool TryTakeKept(string path, out SafeFileHandle kept)
    {
        if (!_open.TryRemove(path, out kept!)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    public void Dispose()
    {
        foreach (var path in _open.Keys) Forget(path);
    }
}
