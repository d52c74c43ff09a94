namespace SmtpFailoverProxy.Spool;

/// <summary>Tells a write that failed for want of space (the disk, or the user's quota) from other I/O failures.</summary>
internal static class StorageFull
{
    // errno values, which .NET puts in HResult on Unix; Windows' HRESULTs for a full disk.
    private const int NoSpaceLeftOnDevice = 28;        // ENOSPC
    private const int DiskQuotaExceeded = 122;         // EDQUOT (Linux)
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    public static bool Is(Exception exception) =>
        exception is IOException { HResult: NoSpaceLeftOnDevice or DiskQuotaExceeded or WindowsDiskFull or WindowsHandleDiskFull };
}
