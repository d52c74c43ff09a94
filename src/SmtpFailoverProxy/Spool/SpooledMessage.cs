namespace SmtpFailoverProxy.Spool;

/// <summary>
/// A message in the queue: its envelope, its delivery state, where its bytes start, and its file's whole
/// length (envelope and checksum included: what the file holds on disk).
/// </summary>
internal sealed record SpooledMessage(MessageEnvelope Envelope, DeliveryState State, string Path, long ContentOffset, long ContentLength, long FileLength)
{
    /// <summary>
    /// Messages up to this size (most mail) are read whole when loaded and relayed from memory: the relays'
    /// async reads then never wait, where each async read of a file would cost a thread-pool hop
    /// (FileStream emulates async file I/O on Unix). Larger ones are streamed from the file.
    /// </summary>
    internal const int InMemoryLimit = 256 * 1024;

    /// <summary>The message bytes, read with the envelope when at most <see cref="InMemoryLimit"/>; else null.</summary>
    internal byte[]? Content { get; init; }

    public string QueueId => Envelope.QueueId;

    /// <summary>Opens the message bytes (between the magic line and the envelope trailer) for reading.</summary>
    public Stream OpenContent()
    {
        if (Content is { } bytes) return new MemoryStream(bytes, writable: false);
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return new MimeKit.IO.BoundStream(file, ContentOffset, ContentOffset + ContentLength, leaveOpen: false);
    }

    /// <summary>What a provider is given: the envelope as received, to the recipients still pending.</summary>
    public Providers.OutboundMessage ToOutbound() =>
        new(QueueId, Envelope.Sender, State.PendingRecipients, OpenContent, ContentLength, Envelope.EightBitMime, Envelope.SmtpUtf8)
        {
            MailClass = Envelope.MailClass,
        };
}
