namespace SmtpFailoverProxy.Spool;

/// <summary>How a group commit makes its messages durable.</summary>
public enum SpoolSyncMode
{
    /// <summary>
    /// One <c>syncfs</c> of the spool's file system per group (Linux; elsewhere the same as <see cref="PerFile"/>):
    /// the cheapest when the spool has its file system to itself.
    /// </summary>
    FileSystem,

    /// <summary>One <c>fsync</c> per message file: touches nothing else on a shared, busy file system.</summary>
    PerFile,
}
