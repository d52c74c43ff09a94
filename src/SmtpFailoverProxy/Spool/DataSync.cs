using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// fdatasync (Linux): a file's bytes, and the metadata needed to read them back (its length), reach the
/// disk; its timestamps need not. <see cref="FileStream.Flush(bool)"/> calls fsync, which also waits for
/// the journal whenever the modification time moved. Elsewhere, <see cref="RandomAccess.FlushToDisk"/>.
/// </summary>
internal static partial class DataSync
{
    public static void Flush(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        if (FdataSync(file) != 0) throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(SafeFileHandle fd);
}
