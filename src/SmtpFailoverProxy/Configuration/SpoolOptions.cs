using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Configuration;

/// <summary>The durable spool and its delivery schedule. Section <c>Spool</c>.</summary>
public sealed class SpoolOptions
{
    /// <summary>Folder of the spool. <value>The default value is <c>./spool</c>.</value></summary>
    public string Path { get; set; } = "./spool";

    /// <summary>How long a message is retried before it bounces. <value>The default value is 5 days.</value></summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Delay before the first retry; each retry doubles it. <value>The default value is 1 minute.</value></summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest delay between retries. <value>The default value is 1 hour.</value></summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How a group of messages accepted at the same moment is made durable before their 250s: one
    /// <c>syncfs</c> of the spool's file system, or one <c>fdatasync</c> per slot (for a spool on a busy
    /// shared file system). A message alone, in a slot used before, gets one <c>fdatasync</c> either way. <value>The default value is <see cref="SpoolSyncMode.FileSystem"/>.</value>
    /// </summary>
    public SpoolSyncMode SyncMode { get; set; } = SpoolSyncMode.FileSystem;

    /// <summary>
    /// Disk that the slots of delivered messages (of up to 256 KB) may keep in <c>slots/</c>, marked free, to
    /// be written over by the next messages instead of deleted and created anew; 0 deletes every one.
    /// <value>The default value is 67,108,864 (64 MB).</value>
    /// </summary>
    public long RecycleBytes { get; set; } = RecycledFiles.DefaultLimitBytes;

    /// <summary>
    /// Free space the spool's file system keeps: <c>MAIL FROM</c> is answered <c>452 4.3.1</c> while less
    /// than this plus the declared <c>SIZE=</c> is free, so the disk never fills under the spool and state
    /// files (Postfix's <c>queue_minfree</c>). <value>The default value is 1.5 x <c>Smtp:MaxMessageSize</c>
    /// (Postfix's rule); 0 checks only the declared size.</value>
    /// </summary>
    public long? MinFreeBytes { get; set; }

    /// <summary><see cref="MinFreeBytes"/>, or its default for messages of up to <paramref name="maxMessageSize"/>.</summary>
    internal long EffectiveMinFreeBytes(long maxMessageSize) => MinFreeBytes ?? maxMessageSize * 3 / 2;

    /// <summary>Messages delivered at the same time. <value>The default value is 8 (1 to 256).</value></summary>
    public int DeliveryConcurrency { get; set; } = 8;

    internal void Validate()
    {
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Path), "Spool:Path", "must name a folder");
        ConfigurationException.ThrowIf(MaxAge <= TimeSpan.Zero, "Spool:MaxAge", "must be a positive duration such as \"5.00:00:00\"");
        ConfigurationException.ThrowIf(RetryInitialDelay <= TimeSpan.Zero, "Spool:RetryInitialDelay", "must be a positive duration such as \"00:01:00\"");
        ConfigurationException.ThrowIf(RetryMaxDelay < RetryInitialDelay, "Spool:RetryMaxDelay", "must not be shorter than Spool:RetryInitialDelay");
        ConfigurationException.ThrowIf(!Enum.IsDefined(SyncMode), "Spool:SyncMode", "must be FileSystem or PerFile");
        ConfigurationException.ThrowIf(MinFreeBytes < 0, "Spool:MinFreeBytes", "must be 0 or more (bytes)");
        ConfigurationException.ThrowIf(RecycleBytes < 0, "Spool:RecycleBytes", "must be 0 or more (bytes)");
        ConfigurationException.ThrowIf(DeliveryConcurrency is < 1 or > 256, "Spool:DeliveryConcurrency", "must be between 1 and 256");
    }
}
