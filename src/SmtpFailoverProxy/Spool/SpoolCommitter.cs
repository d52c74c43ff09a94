using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Group commit: messages finished at the same moment share one sync. A session hands over its slot,
/// written with its header saying queued, and waits; one runner at a time takes every slot waiting and
/// makes them durable: with <see cref="SpoolSyncMode.FileSystem"/>, one <c>syncfs</c>; with
/// <see cref="SpoolSyncMode.PerFile"/>, one <c>fdatasync</c> per slot, then one <c>fsync</c> of the
/// slots' folder when a slot's name may not be on disk yet (a new slot). A group of one slot whose name
/// is on disk gets its <c>fdatasync</c> in either mode: it waits for that file alone, where syncfs waits
/// for whatever else the file system holds. Only then are the sessions released to answer 250. No
/// rename, no truncation: a slot written over in place leaves the sync only data to write. Under load,
/// a group holds as many messages as sessions were waiting, and the sync is shared. A message with
/// nothing to share it (see <see cref="CommitAsync"/>'s <c>alone</c>) is synced on its caller's thread.
/// </summary>
internal sealed class SpoolCommitter(
    SpoolDirectories directories, SpoolSyncMode mode, TimeSpan? idleTimeout = null, Func<string, bool>? tryFlushFileSystem = null, Action<SafeFileHandle>? flushFile = null)
    : IDisposable
{
    /// <summary>How long the committing thread waits for work before it ends (a new one starts with the next commit).</summary>
    internal static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The committing thread's name (in <c>top -H</c>, <c>perf</c>, and for tests that tell its work from a caller's).</summary>
    internal const string ThreadName = "spool-commit";

    private readonly ConcurrentQueue<PendingCommit> _pending = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Lock _threadLock = new();
    private readonly TimeSpan _idleTimeout = idleTimeout ?? DefaultIdleTimeout;
    // The slots' folder, held open for its syncs (no path walk for each; none needed on Windows).
    private readonly SafeFileHandle? _slots = OperatingSystem.IsWindows() ? null : FolderHandle.Open(directories.Slots);
    // syncfs, or a stand-in for tests of the refused and failed cases; fdatasync, or a stand-in for tests
    // that watch the syncs (how many at once).
    private readonly Func<string, bool>? _tryFlushFileSystem = tryFlushFileSystem;
    private readonly Action<SafeFileHandle> _flushFile = flushFile ?? DataSync.Flush;
    private Thread? _thread;
    private int _running;
    private int _idleWhileTurnTaken;

    /// <summary>Whether a committing thread exists now (it ends after <see cref="DefaultIdleTimeout"/> without work).</summary>
    internal bool HasThread
    {
        get
        {
            lock (_threadLock) return _thread is not null;
        }
    }

    /// <summary>How often the committing thread timed out idle while the runner's turn was taken, and so waited on.</summary>
    internal int IdleWhileTurnTaken => Volatile.Read(ref _idleWhileTurnTaken);

    /// <summary>Completes when the slot is durable. On failure the slot is marked free again.</summary>
    /// <param name="file">The slot, already written to the OS; it stays the caller's, and open.</param>
    /// <param name="nameDurable">The slot's name is known to be on disk already.</param>
    /// <param name="alone">
    /// No other message is being received, so none could join this one's group. A slot whose name is on
    /// disk, with no commit waiting or under way, then gets its <c>fdatasync</c> on this thread, and the
    /// returned task has completed: the committing thread is not woken for it (that wake and the switches
    /// to it and back cost 78 to 102 us of CPU a message with one session sending, here). A commit that
    /// comes meanwhile waits for the committing thread, started once this sync is done, as behind a group.
    /// </param>
    public Task CommitAsync(SafeFileHandle file, bool nameDurable, bool alone = false)
    {
        if (alone && nameDurable && _pending.IsEmpty && Interlocked.CompareExchange(ref _running, 1, 0) == 0) return CommitHere(file);

        var commit = new PendingCommit(file, nameDurable);
        _pending.Enqueue(commit);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0) StartRunner();
        return commit.Completion.Task;
    }

    /// <summary>One slot's sync on the caller's thread, which holds the runner's turn until it is done.</summary>
    private Task CommitHere(SafeFileHandle file)
    {
        try
        {
            _flushFile(file);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            if (ex is IOException) TryMarkFree(file);
            return Task.FromException(AsCommitFailure(ex));
        }
        finally
        {
            if (ReleaseTurn()) StartRunner();
        }
    }

    /// <summary>
    /// Gives the runner's turn back. True when a commit queued meanwhile (it found the turn taken) made the
    /// caller take the turn again: that commit is the caller's to run or to hand on.
    /// </summary>
    private bool ReleaseTurn()
    {
        Volatile.Write(ref _running, 0);
        return !_pending.IsEmpty && Interlocked.CompareExchange(ref _running, 1, 0) == 0;
    }

    /// <summary>Wakes the committing thread, or starts one; the caller holds the runner's turn.</summary>
    private void StartRunner()
    {
        // The syncs of groups block, for a millisecond or more: on a thread of their own, never a session's
        // nor one of the thread pool's (on 2 cores it has two, and the sessions need them meanwhile).
        lock (_threadLock)
        {
            if (_thread is null)
            {
                _thread = new Thread(CommitLoop) { IsBackground = true, Name = ThreadName };
                _thread.Start();
            }
        }

        _wake.Set();
    }

    private void CommitLoop()
    {
        while (true)
        {
            if (_wake.WaitOne(_idleTimeout))
            {
                Run();
                continue;
            }

            lock (_threadLock)
            {
                // Idle. A turn taken meanwhile is a commit on its way to waking this thread (it set _running
                // before it looked for the thread), or a caller's own sync, which wakes it only if a commit
                // queued behind it: either way, wait on for that wake. Otherwise end, unless a wake came.
                if (Volatile.Read(ref _running) != 0)
                {
                    Interlocked.Increment(ref _idleWhileTurnTaken);
                    continue;
                }

                if (!_wake.WaitOne(0))
                {
                    _thread = null;
                    return;
                }
            }

            Run();
        }
    }

    private void Run()
    {
        var group = new List<PendingCommit>();
        while (true)
        {
            while (_pending.TryDequeue(out var commit)) group.Add(commit);
            if (group.Count == 0)
            {
                if (!ReleaseTurn()) return;
                continue;
            }

            try
            {
                CommitGroup(group);
            }
            catch (Exception ex)
            {
                // Whatever went wrong, no session may wait forever: each hears 451 and keeps its message.
                foreach (var commit in group) commit.Fail(ex);
            }

            group.Clear();
        }
    }

    private void CommitGroup(List<PendingCommit> group)
    {
        try
        {
            if (group is [{ NameDurable: true } alone])
            {
                _flushFile(alone.File);
            }
            else if (mode != SpoolSyncMode.FileSystem || !TryFlushFileSystem())
            {
                // PerFile, or syncfs is missing or was refused just now (a seccomp profile).
                foreach (var commit in group) _flushFile(commit.File);
                if (group.Exists(commit => !commit.NameDurable) && _slots is not null) DirectorySync.Flush(_slots, directories.Slots);
            }
        }
        catch (IOException ex)
        {
            BackOut(group, ex);
            return;
        }

        if (group.Count == 1)
        {
            // A message alone (one session, or a quiet moment): its session goes on right here, from the
            // 250 to its next read, instead of waking a thread-pool thread to do so. A few microseconds
            // before this thread looks for the next group, which nobody else is waiting to join.
            group[0].Completion.TrySetResult();
            return;
        }

        // A group: each session on the thread pool, so no session waits for the others' replies.
        foreach (var commit in group) ThreadPool.UnsafeQueueUserWorkItem(static completion => completion.TrySetResult(), commit.Completion, preferLocal: false);
    }

    private bool TryFlushFileSystem() =>
        _tryFlushFileSystem is not null ? _tryFlushFileSystem(directories.Slots) : _slots is not null && DirectorySync.TryFlushFileSystem(_slots, directories.Slots);

    /// <summary>Closes the slots' folder. Only once no commit can come any more.</summary>
    public void Dispose() => _slots?.Dispose();

    /// <summary>Not durable, so not accepted: marked free, or a restart would deliver what the client retries.</summary>
    private static void BackOut(List<PendingCommit> group, IOException failure)
    {
        foreach (var commit in group)
        {
            TryMarkFree(commit.File);
            commit.Fail(failure);
        }
    }

    private static void TryMarkFree(SafeFileHandle file)
    {
        try
        {
            SpoolFile.MarkFree(file);
        }
        catch (IOException)
        {
            // Stays queued: delivered at the next start as well as retried by the client (at-least-once).
        }
    }

    private static IOException AsCommitFailure(Exception ex) => ex as IOException ?? new IOException("Spool commit failed: " + ex.Message, ex);

    private sealed class PendingCommit(SafeFileHandle file, bool nameDurable)
    {
        public SafeFileHandle File { get; } = file;
        public bool NameDurable { get; } = nameDurable;
        // Completed where CommitGroup says: inline for a message alone, else from the thread pool.
        public TaskCompletionSource Completion { get; } = new();

        public void Fail(Exception ex)
        {
            var failure = AsCommitFailure(ex);
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Completion.TrySetException(state.failure), (Completion, failure), preferLocal: false);
        }
    }
}
