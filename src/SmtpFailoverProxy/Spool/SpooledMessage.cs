namespace SmtpFailoverProxy.Spool;

/// <summary>A message in the queue: its envelope, its delivery state and where its bytes start.</summary>
internal sealed record SpooledMessage(MessageEnvelope Envelope, DeliveryState State, string Path, long ContentOffset, long ContentLength)
{
    /// <summary>
    /// Messages up to this size (most mail) are read whole with one read and relayed from memory: the
    /// relays' async reads then never wait, where each async read of a file would cost a thread-pool hop
    /// (FileStream emulates async file I/O on Unix). Larger ones are streamed from the file.
    /// </summary>
    internal const int InMemoryLimit = 256 * 1024;

    public string QueueId => Envelope.QueueId;

    /// <summary>Opens the message bytes (between the magic line and the envelope trailer) for reading.</summary>
    public Stream OpenContent()
    {
        if (ContentLength <= InMemoryLimit)
        {
            using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            var bytes = new byte[ContentLength];
            for (var filled = 0; filled < bytes.Length;)
            {
                var read = RandomAccess.Read(handle, bytes.AsSpan(filled), ContentOffset + filled);
                if (read == 0) throw new InvalidDataException($"Spool file {Path} ends before the length its trailer gives.");
                filled += read;
            }

            return new MemoryStream(bytes, writable: false);
        }

        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return new MimeKit.IO.BoundStream(file, ContentOffset, ContentOffset + ContentLength, leaveOpen: false);
    }
}
