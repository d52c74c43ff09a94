namespace SmtpFailoverProxy.Spool;

/// <summary>A message in the queue: its envelope, its delivery state and where its bytes start.</summary>
internal sealed record SpooledMessage(MessageEnvelope Envelope, DeliveryState State, string Path, long ContentOffset, long ContentLength)
{
    public string QueueId => Envelope.QueueId;

    /// <summary>Opens the message bytes (between the magic line and the envelope trailer) for reading.</summary>
    public Stream OpenContent()
    {
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return new MimeKit.IO.BoundStream(file, ContentOffset, ContentOffset + ContentLength, leaveOpen: false);
    }
}
