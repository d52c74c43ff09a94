using System.Runtime.InteropServices;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// fsync of a directory, so that a rename into it survives a power loss (POSIX leaves the directory
/// entry in the page cache until then). .NET has no API for it; on Linux and macOS we call libc.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return; // NTFS journals the rename itself.
        var fd = Open(directory, ReadOnly);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
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

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
