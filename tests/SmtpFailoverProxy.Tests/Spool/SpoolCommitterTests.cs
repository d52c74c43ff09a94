using Microsoft.Win32.SafeHandles;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

/// <summary>The committing thread: there while there is work, gone when idle, back with the next commit.</summary>
public sealed class SpoolCommitterTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(SpoolSyncMode.FileSystem)]
    [InlineData(SpoolSyncMode.PerFile)]
    public async Task Thread_ends_when_idle_and_the_next_commit_starts_another_that_commits(SpoolSyncMode mode)
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, mode, idleTimeout: TimeSpan.FromMilliseconds(50));

        await CommitAsync(committer, directories, "first").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("first", Committed(directories, "first"));
        await Eventually.WaitUntilAsync(() => !committer.HasThread, TimeSpan.FromSeconds(10));

        await CommitAsync(committer, directories, "second").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("second", Committed(directories, "second"));
    }

    [Fact]
    public async Task Where_syncfs_is_refused_the_group_is_synced_file_by_file_and_stays_queued()
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem, tryFlushFileSystem: _ => false);

        await Task.WhenAll(CommitAsync(committer, directories, "a"), CommitAsync(committer, directories, "b")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("a", Committed(directories, "a"));
        Assert.Equal("b", Committed(directories, "b"));
    }

    [Fact]
    public async Task Failed_sync_marks_every_slot_of_the_group_free_and_fails_every_commit()
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem, tryFlushFileSystem: _ => throw new IOException("syncfs failed: errno 5"));

        var commits = new[] { CommitAsync(committer, directories, "a"), CommitAsync(committer, directories, "b") };

        foreach (var commit in commits) await Assert.ThrowsAsync<IOException>(() => commit.WaitAsync(TimeSpan.FromSeconds(10)));
        foreach (var name in new[] { "a", "b" })
        {
            Assert.Equal(SpoolFile.FreeState, File.ReadAllBytes(SlotPath(directories, name))[SpoolFile.StateOffset]);
        }
    }

    [Fact]
    public async Task Slot_alone_whose_name_is_on_disk_gets_its_own_data_sync_and_no_syncfs()
    {
        var directories = Prepared();
        var syncfsCalls = 0;
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem, tryFlushFileSystem: _ =>
        {
            Interlocked.Increment(ref syncfsCalls);
            return true;
        });

        await CommitAsync(committer, directories, "known", nameDurable: true).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, syncfsCalls);
        await CommitAsync(committer, directories, "new").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, syncfsCalls);

        Assert.Equal("known", Committed(directories, "known"));
        Assert.Equal("new", Committed(directories, "new"));
    }

    [Fact]
    public async Task Slot_alone_with_nothing_else_coming_in_is_synced_on_the_callers_thread()
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem);

        var commit = CommitAsync(committer, directories, "alone", nameDurable: true, alone: true);

        Assert.True(commit.IsCompletedSuccessfully, "the sync should have been done before the call returned");
        Assert.False(committer.HasThread);
        await commit;
        Assert.Equal("alone", Committed(directories, "alone"));
    }

    [Fact]
    public async Task Slot_alone_whose_name_may_not_be_on_disk_waits_for_the_committing_thread()
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem);

        await CommitAsync(committer, directories, "new", nameDurable: false, alone: true).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(committer.HasThread); // its folder needs a sync too, which is the committing thread's
        Assert.Equal("new", Committed(directories, "new"));
    }

    [Fact]
    public async Task Failed_sync_on_the_callers_thread_fails_that_commit_and_leaves_the_next_ones_working()
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem);
        var closed = File.OpenHandle(SlotPath(directories, "closed"), FileMode.CreateNew, FileAccess.Write);
        closed.Dispose();

        await Assert.ThrowsAsync<IOException>(() => committer.CommitAsync(closed, nameDurable: true, alone: true));

        // The runner's turn was given back: the next commits, alone and in a group, go through.
        await CommitAsync(committer, directories, "after", nameDurable: true, alone: true).WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(CommitAsync(committer, directories, "a"), CommitAsync(committer, directories, "b")).WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var name in new[] { "after", "a", "b" }) Assert.Equal(name, Committed(directories, name));
    }

    [Fact]
    public async Task Commits_of_many_threads_some_alone_all_complete_durable()
    {
        var directories = Prepared();
        using var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem);
        var names = Enumerable.Range(0, 200).Select(i => $"m{i}").ToArray();

        // Callers saying alone race the committing thread for the turn; none may be left waiting.
        await Task.WhenAll(names.Select((name, i) => Task.Run(() => CommitAsync(committer, directories, name, nameDurable: true, alone: i % 2 == 0))))
            .WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var name in names) Assert.Equal(name, Committed(directories, name));
    }

    [Fact]
    public async Task Committing_thread_that_times_out_idle_during_a_callers_own_sync_leaves_the_commit_queued_behind_it_until_that_sync_is_done()
    {
        var directories = Prepared();
        var syncs = new SyncWatch();
        using var release = new ManualResetEventSlim();
        var holdNext = 0;
        using var committer = new SpoolCommitter(
            directories,
            SpoolSyncMode.FileSystem,
            idleTimeout: TimeSpan.FromSeconds(1),
            flushFile: file => syncs.During(() =>
            {
                // The next caller's own sync is held until the test lets it go.
                if (Thread.CurrentThread.Name != SpoolCommitter.ThreadName && Interlocked.Exchange(ref holdNext, 0) == 1) release.Wait(TimeSpan.FromSeconds(30));
                DataSync.Flush(file);
            }));

        // A committing thread, idle now (it ends after a second of that); then a caller's own sync, held.
        // Once that sync holds the runner's turn the thread cannot end; but on a loaded machine these steps
        // can take longer than its second, and it may have ended before: then let the sync go and arrange
        // it all again.
        Task held;
        string heldName;
        var attempt = 0;
        while (true)
        {
            attempt++;
            await CommitAsync(committer, directories, $"first{attempt}").WaitAsync(TimeSpan.FromSeconds(10));
            await Eventually.WaitUntilAsync(() => CommitAsync(committer, directories, $"probe{Guid.NewGuid():N}", nameDurable: true, alone: true).IsCompletedSuccessfully, TimeSpan.FromSeconds(10));
            Volatile.Write(ref holdNext, 1);
            heldName = $"held{attempt}";
            // On a thread of its own: held, it must not take one of the thread pool's few.
            var name = heldName;
            held = Task.Factory.StartNew(() => CommitAsync(committer, directories, name, nameDurable: true, alone: true), TaskCreationOptions.LongRunning).Unwrap();
            await Eventually.WaitUntilAsync(() => Volatile.Read(ref holdNext) == 0, TimeSpan.FromSeconds(10));
            if (committer.HasThread) break;

            release.Set();
            await held.WaitAsync(TimeSpan.FromSeconds(10));
            release.Reset();
            Assert.True(attempt < 10, "the committing thread ended idle before the held sync started, 10 times over");
        }

        // A commit behind it, while the thread times out idle twice.
        var behind = CommitAsync(committer, directories, "behind", nameDurable: true);
        var idle = committer.IdleWhileTurnTaken;
        await Eventually.WaitUntilAsync(() => committer.IdleWhileTurnTaken >= idle + 2 || behind.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.False(behind.IsCompleted, "the committing thread ran a group while a caller's own sync held the turn");

        release.Set();
        await Task.WhenAll(held, behind).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, syncs.MostAtOnce);
        Assert.Equal(heldName, Committed(directories, heldName));
        Assert.Equal("behind", Committed(directories, "behind"));
    }

    private SpoolDirectories Prepared()
    {
        var directories = new SpoolDirectories(_root);
        directories.Prepare();
        return directories;
    }

    private static string SlotPath(SpoolDirectories directories, string name) => Path.Combine(directories.Slots, name + ".slot");

    /// <summary>A slot whose header says queued, and the name as its only content.</summary>
    /// <remarks>Written and handed over before it returns: an <paramref name="alone"/> commit that takes the turn has completed by then.</remarks>
    private static Task CommitAsync(SpoolCommitter committer, SpoolDirectories directories, string name, bool nameDurable = false, bool alone = false)
    {
        var file = File.OpenHandle(SlotPath(directories, name), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
        var header = new byte[SpoolFile.HeaderLength];
        SpoolFile.WriteHeader(header, QueueId.New(TimeProvider.System), SpoolFile.HeaderLength + name.Length, queued: true);
        RandomAccess.Write(file, header, 0);
        RandomAccess.Write(file, System.Text.Encoding.ASCII.GetBytes(name), SpoolFile.HeaderLength);
        return CloseAfter(file, committer.CommitAsync(file, nameDurable, alone));
    }

    private static async Task CloseAfter(SafeFileHandle file, Task commit)
    {
        using (file) await commit;
    }

    /// <summary>The content of a slot whose header still says queued.</summary>
    private static string Committed(SpoolDirectories directories, string name)
    {
        var bytes = File.ReadAllBytes(SlotPath(directories, name));
        Assert.True(SpoolFile.ReadHeader(bytes)!.Queued);
        return System.Text.Encoding.ASCII.GetString(bytes, SpoolFile.HeaderLength, bytes.Length - SpoolFile.HeaderLength);
    }

    /// <summary>How many syncs were under way at once, at most.</summary>
    private sealed class SyncWatch
    {
        private int _now;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public void During(Action sync)
        {
            var now = Interlocked.Increment(ref _now);
            int most;
            while ((most = Volatile.Read(ref _most)) < now && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            try
            {
                sync();
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
