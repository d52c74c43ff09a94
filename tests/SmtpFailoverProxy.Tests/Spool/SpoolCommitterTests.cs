using System.Diagnostics;
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
        await WaitUntilAsync(() => !committer.HasThread, TimeSpan.FromSeconds(10));

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

    private SpoolDirectories Prepared()
    {
        var directories = new SpoolDirectories(_root);
        directories.Prepare();
        return directories;
    }

    private static string SlotPath(SpoolDirectories directories, string name) => Path.Combine(directories.Slots, name + ".slot");

    /// <summary>A slot whose header says queued, and the name as its only content.</summary>
    private static async Task CommitAsync(SpoolCommitter committer, SpoolDirectories directories, string name, bool nameDurable = false)
    {
        using var file = File.OpenHandle(SlotPath(directories, name), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
        var header = new byte[SpoolFile.HeaderLength];
        SpoolFile.WriteHeader(header, QueueId.New(TimeProvider.System), SpoolFile.HeaderLength + name.Length, queued: true);
        RandomAccess.Write(file, header, 0);
        RandomAccess.Write(file, System.Text.Encoding.ASCII.GetBytes(name), SpoolFile.HeaderLength);
        await committer.CommitAsync(file, nameDurable);
    }

    /// <summary>The content of a slot whose header still says queued.</summary>
    private static string Committed(SpoolDirectories directories, string name)
    {
        var bytes = File.ReadAllBytes(SlotPath(directories, name));
        Assert.True(SpoolFile.ReadHeader(bytes)!.Queued);
        return System.Text.Encoding.ASCII.GetString(bytes, SpoolFile.HeaderLength, bytes.Length - SpoolFile.HeaderLength);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < deadline, $"not true within {deadline}");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
