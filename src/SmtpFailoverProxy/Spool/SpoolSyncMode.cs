namespace SmtpFailoverProxy.Spool;

/// <summary>How a group commit makes its messages durable.</summary>
public enum SpoolSyncMode
{
    /// <summary>
    /// The group's renames into the queue, then one <c>syncfs</c> of the spool's file system (Linux; elsewhere,
    /// or where syncfs is denied, the same as <see cref="PerFile"/>): one wait for the disk per group, the
    /// cheapest when the spool has its file system to itself.
    /// </summary>
    FileSystem,

    /// <summary>One <c>fsync</c> per message file: touches nothing else on a shared, busy file system.</summary>
    PerFile,
}
