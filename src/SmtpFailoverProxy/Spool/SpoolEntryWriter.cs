using System.Buffers;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Writes one incoming message into a free slot (a recycled file when there is one, see <see cref="RecycledFiles"/>);
/// <see cref="CommitAsync"/> makes it durable and queued, <see cref="Dispose"/> without commit gives the
/// slot back. A message that fits in the write buffer is written in one go at commit, header included,
/// and also handed to delivery in memory (<see cref="CommittedMessages"/>). The slot's handle comes from
/// <see cref="SlotHandles"/> and goes back there, open, for the next use of the slot.
/// </summary>
internal sealed class SpoolEntryWriter : IDisposable
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    // Our own buffer, from the pool.
    private const int BufferSize = 64 * 1024;

    private readonly RecycledFiles _recycled;
    private readonly SlotHandles _handles;
    private readonly SpoolCommitter _committer;
    private readonly CommittedMessages _committedMessages;
    private readonly QueuedSlots _queued;
    private readonly XxHash3 _checksum = new();
    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly bool _durable;
    private readonly long _recycledLength;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _buffered;
    // Bytes of the buffer from here on are in the checksum's range but not yet added to it: the checksum
    // takes them in one piece when they leave the buffer, instead of a line at a time.
    private int _unhashed;
    private long _position; // where the next write to the file goes
    private bool _flushed;
    private bool _committed;

    internal SpoolEntryWriter(RecycledFiles recycled, SlotHandles handles, SpoolCommitter committer, CommittedMessages committedMessages, QueuedSlots queued, MessageEnvelope envelope)
    {
        _recycled = recycled;
        _handles = handles;
        _committer = committer;
        _committedMessages = committedMessages;
        _queued = queued;
        Envelope = envelope;
        (_path, _recycledLength, var reused, _durable) = recycled.Take();
        try
        {
            _file = handles.Take(_path, reused ? FileMode.OpenOrCreate : FileMode.CreateNew);
        }
        catch
        {
            ReturnBuffer();
            throw;
        }

        // Free until commit writes it again: a crash meanwhile leaves a slot that holds nothing.
        Span<byte> header = stackalloc byte[SpoolFile.HeaderLength];
        SpoolFile.WriteHeader(header, envelope.QueueId, 0, queued: false);
        WriteUnchecked(header);
    }

    public MessageEnvelope Envelope { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes) => Append(bytes, hashed: true);

    /// <summary>Writes without adding to the checksum: the header, and the trailer, which checksums itself.</summary>
    private void WriteUnchecked(ReadOnlySpan<byte> bytes)
    {
        HashBuffered();
        Append(bytes, hashed: false);
        _unhashed = _buffered;
    }

    private void Append(ReadOnlySpan<byte> bytes, bool hashed)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(SpoolEntryWriter));
        if (bytes.Length > buffer.Length - _buffered)
        {
            FlushBuffer();
            if (bytes.Length >= buffer.Length)
            {
                if (hashed) _checksum.Append(bytes);
                RandomAccess.Write(_file, bytes, _position);
                _position += bytes.Length;
                _flushed = true;
                return;
            }
        }

        bytes.CopyTo(buffer.AsSpan(_buffered));
        _buffered += bytes.Length;
    }

    /// <summary>Adds what the buffer holds beyond the checksummed part to the checksum.</summary>
    private void HashBuffered()
    {
        if (_buffered > _unhashed) _checksum.Append(_buffer.AsSpan(_unhashed, _buffered - _unhashed));
        _unhashed = _buffered;
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
    /// the header that marks the slot queued, and hands the file to the group commit (see
    /// <see cref="SpoolCommitter"/>). When this completes, the message survives a crash or power loss and
    /// is queued; only then may the client hear 250. Returns the slot's path. <paramref name="alone"/>: no
    /// other message is being received (see <see cref="SpoolCommitter.CommitAsync"/>).
    /// </summary>
    public async Task<string> CommitAsync(MessageEnvelope? final = null, bool alone = false)
    {
        if (final is not null)
        {
            if (final.QueueId != Envelope.QueueId) throw new ArgumentException("The queue id cannot change.", nameof(final));
            Envelope = final;
        }

        // Still all in the buffer: delivery gets the bytes from here instead of reading the file back.
        var content = _flushed ? null : _buffer.AsSpan(SpoolFile.HeaderLength, _buffered - SpoolFile.HeaderLength).ToArray();
        HashBuffered(); // the trailer's checksum covers every byte before it
        WriteUnchecked(SpoolFile.Trailer(Envelope, _checksum));
        var end = _position + _buffered;
        if (!_flushed)
        {
            // One write: the header at the buffer's start, then the message and its trailer.
            SpoolFile.WriteHeader(_buffer.AsSpan(0, SpoolFile.HeaderLength), Envelope.QueueId, end, queued: true);
            FlushBuffer();
        }
        else
        {
            FlushBuffer();
            Span<byte> header = stackalloc byte[SpoolFile.HeaderLength];
            SpoolFile.WriteHeader(header, Envelope.QueueId, end, queued: true);
            RandomAccess.Write(_file, header, 0);
        }

        ReturnBuffer();
        // Never cut shorter: a truncation would be metadata for the sync to write. The record's end is in the header.
        var fileLength = Math.Max(end, _recycledLength);
        await _committer.CommitAsync(_file, _durable, alone);
        _committed = true;
        _handles.Give(_path, _file);
        _queued.Add(Envelope.QueueId, _path);
        if (content is not null) _committedMessages.TryAdd(Envelope, _path, fileLength, content);

        return _path;
    }

    private void FlushBuffer()
    {
        if (_buffered == 0) return;
        HashBuffered();
        RandomAccess.Write(_file, _buffer.AsSpan(0, _buffered), _position);
        _position += _buffered;
        _buffered = 0;
        _unhashed = 0;
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
        if (_committed) return; // Queued; its handle is kept for the next use of the slot.
        // Never committed, or a write or the commit failed (then the committer marked it free again): back
        // to the pool, its handle closed, so the next use opens the slot afresh rather than through a handle
        // that failed (rare: a refused or abandoned message).
        _file.Dispose();
        try
        {
            _recycled.Return(_path, Math.Max(_position, _recycledLength), _durable);
        }
        catch (IOException)
        {
            // Left in slots/ marked free (or never written), reused at the next start.
        }
    }
}
