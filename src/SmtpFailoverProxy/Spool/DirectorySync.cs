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

    /// <summary>fsync of the folder itself: its entries (renames into it) become durable.</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return; // NTFS journals the rename itself.
        WithDirectory(directory, "fsync", Fsync);
    }

    /// <summary>
    /// syncfs (Linux): everything written to the file system that holds <paramref name="directory"/>
    /// reaches the disk in one call, and writeback errors are reported (Linux 5.8+). False where there
    /// is no syncfs; the caller then syncs file by file.
    /// </summary>
    public static bool TryFlushFileSystem(string directory)
    {
        if (!OperatingSystem.IsLinux()) return false;
        WithDirectory(directory, "syncfs", SyncFs);
        return true;
    }

    private static void WithDirectory(string directory, string call, Func<int, int> sync)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (sync(fd) != 0) throw new IOException($"{call}({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
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
