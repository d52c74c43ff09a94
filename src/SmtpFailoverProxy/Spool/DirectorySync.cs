using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// fsync of a directory, so that a rename into it survives a power loss (POSIX leaves the directory
/// entry in the page cache until then), and syncfs of the file system that holds it. .NET has no API
/// for either; on Linux and macOS we call libc, on a folder's path or on its descriptor held open
/// (<see cref="FolderHandle"/>).
/// </summary>
internal static partial class DirectorySync
{
    private const int NotPermitted = 1; // EPERM: a seccomp profile that denies syncfs
    private const int NotImplemented = 38; // ENOSYS, the same on x86-64 and arm64

    private static volatile bool _syncFsUnavailable;

    /// <summary>Whether <see cref="TryFlushFileSystem(SafeFileHandle, string)"/> may work here (Linux, and not refused before).</summary>
    private static bool CanFlushFileSystem => OperatingSystem.IsLinux() && !_syncFsUnavailable;

    /// <summary>fsync of the folder itself: its entries (renames into it) become durable.</summary>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return; // NTFS journals the rename itself.
        using var folder = FolderHandle.Open(directory);
        Flush(folder, directory);
    }

    /// <summary>fsync of a folder held open; <paramref name="directory"/> names it in errors. Nothing on Windows.</summary>
    public static void Flush(SafeFileHandle folder, string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        if (Fsync(folder) != 0) throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// syncfs (Linux): everything written to the file system that holds the folder reaches the disk in one
    /// call, and writeback errors are reported (Linux 5.8+). False where there is no syncfs, or where it is
    /// not allowed (then never tried again); the caller syncs file by file.
    /// </summary>
    public static bool TryFlushFileSystem(SafeFileHandle folder, string directory)
    {
        if (!CanFlushFileSystem) return false;
        if (SyncFs(folder) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is NotPermitted or NotImplemented)
        {
            _syncFsUnavailable = true;
            return false;
        }

        throw new IOException($"syncfs({directory}) failed: errno {errno}");
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(SafeFileHandle fd);
}
