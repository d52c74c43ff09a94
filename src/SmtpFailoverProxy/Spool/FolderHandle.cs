using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// A folder's descriptor (Linux, macOS), for the calls .NET has no API for: fsync and syncfs of it
/// (<see cref="DirectorySync"/>), fstatvfs (<see cref="FreeSpace"/>). Held open by whoever calls them
/// often, so that each call skips walking the folder's path.
/// </summary>
internal static partial class FolderHandle
{
    private const int ReadOnly = 0;
    private const int LinuxCloseOnExec = 0x80000; // O_CLOEXEC, the same on x86-64 and arm64

    /// <exception cref="IOException">The folder cannot be opened.</exception>
    public static SafeFileHandle Open(string folder)
    {
        var fd = OpenFolder(folder, OperatingSystem.IsLinux() ? ReadOnly | LinuxCloseOnExec : ReadOnly);
        if (fd < 0) throw new IOException($"open({folder}) failed: errno {Marshal.GetLastPInvokeError()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFolder(string path, int flags);
}
