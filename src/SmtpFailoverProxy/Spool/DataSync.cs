using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// fdatasync (Linux): a file's bytes, and the metadata needed to read them back (its length), reach the
/// disk; its timestamps need not. <see cref="FileStream.Flush(bool)"/> calls fsync, which also waits for
/// the journal whenever the modification time moved. Elsewhere, the same as <see cref="FileStream.Flush(bool)"/>.
/// </summary>
internal static partial class DataSync
{
    public static void Flush(FileStream file)
    {
        if (!OperatingSystem.IsLinux())
        {
            file.Flush(flushToDisk: true);
            return;
        }

        if (FdataSync(file.SafeFileHandle) != 0) throw new IOException($"fdatasync({file.Name}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(SafeFileHandle fd);
}
