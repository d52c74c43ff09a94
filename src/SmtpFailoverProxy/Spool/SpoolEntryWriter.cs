using System.Buffers;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Writes one incoming message to a temporary file of the spool; <see cref="Commit"/> makes it durable
/// and visible to delivery, <see cref="Dispose"/> without commit throws it away.
/// </summary>
internal sealed class SpoolEntryWriter : IDisposable
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    private readonly SpoolDirectories _directories;
    private readonly string _tempPath;
    private readonly FileStream _file;
    private bool _committed;

    internal SpoolEntryWriter(SpoolDirectories directories, MessageEnvelope envelope)
    {
        _directories = directories;
        Envelope = envelope;
        _tempPath = Path.Combine(directories.Temp, envelope.QueueId + SpoolFile.Extension);
        _file = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024);
        SpoolFile.WriteMagic(_file);
    }

    public MessageEnvelope Envelope { get; private set; }

    /// <summary>The message bytes as a stream, for writers that produce a whole message (DSNs).</summary>
    public Stream Content => _file;

    public void Write(ReadOnlySpan<byte> bytes) => _file.Write(bytes);

    public void Write(in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes) _file.Write(segment.Span);
    }

    public void WriteLine(in ReadOnlySequence<byte> content)
    {
        Write(content);
        _file.Write(CrLf);
    }

    /// <summary>
    /// Writes the envelope (<paramref name="final"/> when what was learnt while receiving changed it),
    /// fsyncs the file, renames it into the queue and fsyncs the queue folder: after this returns, the
    /// message survives a crash or power loss. Only then may the client hear 250.
    /// </summary>
    public string Commit(MessageEnvelope? final = null)
    {
        if (final is not null)
        {
            if (final.QueueId != Envelope.QueueId) throw new ArgumentException("The queue id cannot change.", nameof(final));
            Envelope = final;
        }

        SpoolFile.WriteTrailer(_file, Envelope);
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        var finalPath = _directories.MessagePath(Envelope.QueueId);
        File.Move(_tempPath, finalPath);
        DirectorySync.Flush(_directories.Queue);
        _committed = true;
        return finalPath;
    }

    public void Dispose()
    {
        _file.Dispose();
        if (!_committed)
        {
            try
            {
                File.Delete(_tempPath);
            }
            catch (IOException)
            {
                // Left for the start-up sweep of the temp folder.
            }
        }
    }
}
