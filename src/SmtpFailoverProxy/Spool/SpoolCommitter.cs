using System.Collections.Concurrent;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Group commit: messages finished at the same moment share one sync. A session hands over its written
/// file and waits; one runner at a time takes every file waiting and makes them durable in the queue:
/// with <see cref="SpoolSyncMode.FileSystem"/>, renames then one <c>syncfs</c>; with
/// <see cref="SpoolSyncMode.PerFile"/>, one <c>fsync</c> per file, the renames, one <c>fsync</c> of the
/// queue folder. Only then are the sessions released to answer 250. Alone, a message pays what it always paid;
/// under load, a group holds as many messages as sessions were waiting, and the syncs are shared.
/// </summary>
internal sealed class SpoolCommitter(SpoolDirectories directories, SpoolSyncMode mode, TimeSpan? idleTimeout = null, Func<string, bool>? tryFlushFileSystem = null)
{
    /// <summary>How long the committing thread waits for work before it ends (a new one starts with the next commit).</summary>
    internal static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<PendingCommit> _pending = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Lock _threadLock = new();
    private readonly TimeSpan _idleTimeout = idleTimeout ?? DefaultIdleTimeout;
    // syncfs, or a stand-in for tests of the refused and failed cases.
    private readonly Func<string, bool> _tryFlushFileSystem = tryFlushFileSystem ?? DirectorySync.TryFlushFileSystem;
    private Thread? _thread;
    private int _running;

    /// <summary>Whether a committing thread exists now (it ends after <see cref="DefaultIdleTimeout"/> without work).</summary>
    internal bool HasThread
    {
        get
        {
            lock (_threadLock) return _thread is not null;
        }
    }

    /// <summary>
    /// Completes when the file, already written and flushed to the OS, is durable under
    /// <paramref name="finalPath"/>; takes ownership of <paramref name="file"/> and closes it.
    /// </summary>
    public Task CommitAsync(FileStream file, string workPath, string finalPath)
    {
        var commit = new PendingCommit(file, workPath, finalPath);
        _pending.Enqueue(commit);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            // The syncs block, for a millisecond or more: on a thread of their own, never a session's nor
            // one of the thread pool's (on 2 cores it has two, and the sessions need them meanwhile).
            lock (_threadLock)
            {
                if (_thread is null)
                {
                    _thread = new Thread(CommitLoop) { IsBackground = true, Name = "spool-commit" };
                    _thread.Start();
                }
            }

            _wake.Set();
        }

        return commit.Completion.Task;
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
                // Idle: end, unless a commit came in meanwhile (it set _running before it looked for this thread).
                if (Volatile.Read(ref _running) == 0 && !_wake.WaitOne(0))
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
                Volatile.Write(ref _running, 0);
                // A commit queued after the last look found the runner still busy: it is this runner's to take.
                if (_pending.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
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
        if (mode == SpoolSyncMode.FileSystem && CommitWithOneSync(group)) return;
        CommitFileByFile(group);
    }

    /// <summary>
    /// Renames every file into the queue, then one <c>syncfs</c> makes bytes and names durable together:
    /// one wait for the disk per group. A crash before the sync may leave a name whose bytes did not all
    /// reach the disk; the checksum in the file (<see cref="SpoolFile"/>) tells, and none of these was
    /// acknowledged. False, with nothing done, where syncfs is not available.
    /// </summary>
    private bool CommitWithOneSync(List<PendingCommit> group)
    {
        if (!DirectorySync.CanFlushFileSystem) return false;
        var renamed = new List<PendingCommit>(group.Count);
        foreach (var commit in group)
        {
            try
            {
                FileRename.Move(commit.WorkPath, commit.FinalPath); // Open files rename on Linux.
                renamed.Add(commit);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                commit.File.Dispose();
                commit.Fail(ex);
            }
        }

        if (renamed.Count == 0) return true;
        try
        {
            if (!_tryFlushFileSystem(directories.Queue))
            {
                // syncfs was refused just now (a seccomp profile): sync these file by file.
                foreach (var commit in renamed) commit.File.Flush(flushToDisk: true);
                DirectorySync.Flush(directories.Queue);
            }
        }
        catch (IOException ex)
        {
            BackOut(renamed, ex);
            return true;
        }

        foreach (var commit in renamed)
        {
            commit.File.Dispose();
            commit.Completion.TrySetResult();
        }

        return true;
    }

    /// <summary>fsync of each file, then the renames, then one fsync of the queue folder.</summary>
    private void CommitFileByFile(List<PendingCommit> group)
    {
        // 1. The bytes, durable before any name in the queue points at them.
        Exception? syncFailure = null;
        try
        {
            foreach (var commit in group) commit.File.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            syncFailure = ex;
        }

        // 2. The names (closed first: Windows cannot rename an open file).
        var renamed = new List<PendingCommit>(group.Count);
        foreach (var commit in group)
        {
            commit.File.Dispose();
            if (syncFailure is not null)
            {
                commit.Fail(syncFailure);
                continue;
            }

            try
            {
                FileRename.Move(commit.WorkPath, commit.FinalPath);
                renamed.Add(commit);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                commit.Fail(ex);
            }
        }

        if (renamed.Count == 0) return;

        // 3. The queue folder, once for the whole group.
        try
        {
            DirectorySync.Flush(directories.Queue);
        }
        catch (IOException ex)
        {
            BackOut(renamed, ex);
            return;
        }

        foreach (var commit in renamed) commit.Completion.TrySetResult();
    }

    /// <summary>Not durable, so not accepted: out of the queue, or a restart would deliver what the client retries.</summary>
    private static void BackOut(List<PendingCommit> renamed, IOException failure)
    {
        foreach (var commit in renamed)
        {
            commit.File.Dispose();
            try
            {
                FileRename.Move(commit.FinalPath, commit.WorkPath);
            }
            catch (IOException)
            {
                // Stays queued: delivered at the next start as well as retried by the client (at-least-once).
            }

            commit.Fail(failure);
        }
    }

    private sealed class PendingCommit(FileStream file, string workPath, string finalPath)
    {
        public FileStream File { get; } = file;
        public string WorkPath { get; } = workPath;
        public string FinalPath { get; } = finalPath;
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Fail(Exception ex) => Completion.TrySetException(ex as IOException ?? new IOException("Spool commit failed: " + ex.Message, ex));
    }
}
