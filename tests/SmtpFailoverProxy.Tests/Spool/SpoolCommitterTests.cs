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
        var committer = new SpoolCommitter(directories, mode, idleTimeout: TimeSpan.FromMilliseconds(50));

        await CommitAsync(committer, directories, "first").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(File.Exists(directories.MessagePath("first")));
        await WaitUntilAsync(() => !committer.HasThread, TimeSpan.FromSeconds(10));

        await CommitAsync(committer, directories, "second").WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("second", File.ReadAllText(directories.MessagePath("second")));
    }

    [Fact]
    public async Task Where_syncfs_is_refused_the_group_is_synced_file_by_file_and_queued()
    {
        var directories = Prepared();
        var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem, tryFlushFileSystem: _ => false);

        await Task.WhenAll(CommitAsync(committer, directories, "a"), CommitAsync(committer, directories, "b")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("a", File.ReadAllText(directories.MessagePath("a")));
        Assert.Equal("b", File.ReadAllText(directories.MessagePath("b")));
    }

    [Fact]
    public async Task Failed_sync_backs_the_group_out_of_the_queue_and_fails_every_commit()
    {
        var directories = Prepared();
        var committer = new SpoolCommitter(directories, SpoolSyncMode.FileSystem, tryFlushFileSystem: _ => throw new IOException("syncfs failed: errno 5"));

        var commits = new[] { CommitAsync(committer, directories, "a"), CommitAsync(committer, directories, "b") };

        foreach (var commit in commits) await Assert.ThrowsAsync<IOException>(() => commit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(Directory.EnumerateFiles(directories.Queue));
        Assert.True(File.Exists(Path.Combine(directories.Free, "a.free")));
        Assert.True(File.Exists(Path.Combine(directories.Free, "b.free")));
    }

    private SpoolDirectories Prepared()
    {
        var directories = new SpoolDirectories(_root);
        directories.Prepare();
        Directory.CreateDirectory(directories.Free);
        return directories;
    }

    private static Task CommitAsync(SpoolCommitter committer, SpoolDirectories directories, string name)
    {
        var work = Path.Combine(directories.Free, name + ".free");
        var file = new FileStream(work, FileMode.CreateNew, FileAccess.Write);
        file.Write(System.Text.Encoding.ASCII.GetBytes(name));
        file.Flush();
        return committer.CommitAsync(file, work, directories.MessagePath(name));
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
