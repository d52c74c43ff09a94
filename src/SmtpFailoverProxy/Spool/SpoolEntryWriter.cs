using System.Buffers;
using System.IO.Hashing;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Writes one incoming message into a file of <c>free/</c> (a recycled one when there is one);
/// <see cref="CommitAsync"/> makes it durable and visible to delivery, <see cref="Dispose"/> without
/// commit throws it away. A message that fits in the write buffer is also handed to delivery in memory
/// (<see cref="CommittedMessages"/>).
/// </summary>
internal sealed class SpoolEntryWriter : IDisposable
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    // Our own buffer, from the pool: FileStream's would be a fresh 64 KB array for every message.
    private const int BufferSize = 64 * 1024;

    private readonly SpoolDirectories _directories;
    private readonly RecycledFiles _recycled;
    private readonly SpoolCommitter _committer;
    private readonly CommittedMessages _committedMessages;
    private readonly XxHash3 _checksum = new();
    private readonly string _workPath;
    private readonly FileStream _file;
    private readonly long _recycledLength;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _buffered;
    private bool _flushed;
    private bool _handedOver;
    private bool _committed;

    internal SpoolEntryWriter(SpoolDirectories directories, RecycledFiles recycled, SpoolCommitter committer, CommittedMessages committedMessages, MessageEnvelope envelope)
    {
        _directories = directories;
        _recycled = recycled;
        _committer = committer;
        _committedMessages = committedMessages;
        Envelope = envelope;
        (_workPath, var reused) = recycled.Take();
        _file = new FileStream(_workPath, reused ? FileMode.OpenOrCreate : FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        _recycledLength = reused ? _file.Length : 0;
        Write(SpoolFile.Magic);
    }

    public MessageEnvelope Envelope { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        _checksum.Append(bytes);
        WriteUnchecked(bytes);
    }

    /// <summary>Writes without adding to the checksum: the trailer, which checksums itself.</summary>
    private void WriteUnchecked(ReadOnlySpan<byte> bytes)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(SpoolEntryWriter));
        if (bytes.Length > buffer.Length - _buffered)
        {
            FlushBuffer();
            if (bytes.Length >= buffer.Length)
            {
                _file.Write(bytes);
                _flushed = true;
                return;
            }
        }

        bytes.CopyTo(buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
    }

    public void Write(in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes) Write(segment.Span);
    }

    public void WriteLine(in ReadOnlySequence<byte> content)
    {
        Write(content);
        Write(CrLf);
    }

    /// <summary>
    /// Writes the envelope (<paramref name="final"/> when what was learnt while receiving changed it) and
    /// hands the file to the group commit (see <see cref="SpoolCommitter"/>). When this completes, the
    /// message survives a crash or power loss under its name in the queue; only then may the client hear 250.
    /// </summary>
    public async Task<string> CommitAsync(MessageEnvelope? final = null)
    {
        if (final is not null)
        {
            if (final.QueueId != Envelope.QueueId) throw new ArgumentException("The queue id cannot change.", nameof(final));
            Envelope = final;
        }

        // Still all in the buffer: delivery gets the bytes from here instead of reading the file back.
        var content = _flushed ? null : _buffer.AsSpan(SpoolFile.Magic.Length, _buffered - SpoolFile.Magic.Length).ToArray();
        WriteUnchecked(SpoolFile.Trailer(Envelope, _checksum));
        FlushBuffer();
        ReturnBuffer();
        // A recycled file may be longer than this message: cut off the rest of the one before.
        if (_file.Position < _recycledLength) _file.SetLength(_file.Position);
        var finalPath = _directories.MessagePath(Envelope.QueueId);
        var fileLength = _file.Position;
        _handedOver = true;
        await _committer.CommitAsync(_file, _workPath, finalPath);
        _committed = true;
        if (content is not null) _committedMessages.TryAdd(Envelope, finalPath, fileLength, content);

        return finalPath;
    }

    private void FlushBuffer()
    {
        if (_buffered == 0) return;
        _file.Write(_buffer.AsSpan(0, _buffered));
        _buffered = 0;
        _flushed = true;
    }

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    public void Dispose()
    {
        ReturnBuffer();
        if (_committed) return; // The committer closed the file and renamed it into the queue.
        long length;
        try
        {
            // After a failed commit the committer has closed the file: ask the file system.
            length = _handedOver ? new FileInfo(_workPath).Length : _file.Length;
        }
        catch (IOException)
        {
            length = long.MaxValue; // Gone or unreadable: not worth keeping.
        }

        _file.Dispose();
        try
        {
            _recycled.Return(_workPath, length);
        }
        catch (IOException)
        {
            // Left in free/, where anything is garbage, reused or swept at the next start.
        }
    }
}
