using System.Runtime.InteropServices;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// fsync of a directory, so that a rename into it survives a power loss (POSIX leaves the directory
/// entry in the page cache until then), and syncfs of the file system that holds it. .NET has no API
/// for either; on Linux and macOS we call libc.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int NotPermitted = 1; // EPERM: a seccomp profile that denies syncfs
    private const int NotImplemented = 38; // ENOSYS, the same on x86-64 and arm64

    private static volatile bool _syncFsUnavailable;

    /// <summary>Whether <see cref="TryFlushFileSystem"/> may work here (Linux, and not refused before).</summary>
    private static bool CanFlushFileSystem => OperatingSystem.IsLinux() && !_syncFsUnavailable;

    /// <summary>fsync of the folder itself: its entries (renames into it) become durable.</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return; // NTFS journals the rename itself.
        var errno = WithDirectory(directory, Fsync);
        if (errno != 0) throw new IOException($"fsync({directory}) failed: errno {errno}");
    }

    /// <summary>
    /// syncfs (Linux): everything written to the file system that holds <paramref name="directory"/>
    /// reaches the disk in one call, and writeback errors are reported (Linux 5.8+). False where there
    /// is no syncfs, or where it is not allowed (then never tried again); the caller syncs file by file.
    /// </summary>
    public static bool TryFlushFileSystem(string directory)
    {
        if (!CanFlushFileSystem) return false;
        var errno = WithDirectory(directory, SyncFs);
        if (errno == 0) return true;
        if (errno is NotPermitted or NotImplemented)
        {
            _syncFsUnavailable = true;
            return false;
        }

        throw new IOException($"syncfs({directory}) failed: errno {errno}");
    }

    /// <summary>Runs <paramref name="sync"/> on the folder's descriptor; returns 0 or the errno.</summary>
    private static int WithDirectory(string directory, Func<int, int> sync)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            return sync(fd) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
