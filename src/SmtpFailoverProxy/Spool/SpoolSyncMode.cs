namespace SmtpFailoverProxy.Spool;

/// <summary>How a group commit makes its messages durable (a message alone, in a slot used before, gets one <c>fdatasync</c> either way).</summary>
public enum SpoolSyncMode
{
    /// <summary>
    /// One <c>syncfs</c> of the spool's file system per group (Linux; elsewhere, or where syncfs is denied,
    /// the same as <see cref="PerFile"/>): one wait for the disk per group, the cheapest when the spool has
    /// its file system to itself.
    /// </summary>
    FileSystem,

    /// <summary>One <c>fdatasync</c> per slot, and the slots' folder when a slot is new: touches nothing else on a shared, busy file system.</summary>
    PerFile,
}
