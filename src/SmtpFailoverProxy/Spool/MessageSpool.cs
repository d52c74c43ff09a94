using System.Collections.Concurrent;
using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The durable queue on disk: one slot per accepted message (envelope and bytes, see <see cref="SpoolFile"/>),
/// one small state file in <c>queue/</c> once an attempt has finished some of its recipients but not all
/// (see <see cref="SaveState"/>). A message is queued from the sync in <see cref="SpoolEntryWriter.CommitAsync"/>
/// until <see cref="Remove"/> marks its slot free. Messages queued by earlier versions, one file each in
/// <c>queue/</c>, are delivered and removed the same way.
/// </summary>
internal sealed class MessageSpool : IDisposable
{
    private readonly SpoolDirectories _directories;
    private readonly TimeProvider _timeProvider;
    private readonly SpoolCommitter _committer;
    private readonly RecycledFiles _recycled;
    private readonly SlotHandles _handles = new();
    private readonly QueuedSlots _queued;
    // Which messages have a state file (few: only those with an attempt behind them), so the hot path
    // never asks the file system about the others. This process is the spool's only writer.
    private readonly ConcurrentDictionary<string, bool> _withState = new(StringComparer.Ordinal);
    // Messages found in the queue at start: their checksums are checked when first loaded. Those this
    // process committed were written and synced under its eyes.
    private readonly ConcurrentDictionary<string, bool> _unverified = new(StringComparer.Ordinal);
    private readonly CommittedMessages _committedMessages = new();
    // Attempts behind messages whose deferrals left every recipient pending: in memory only (see SaveState).
    private readonly ConcurrentDictionary<string, int> _untouchedAttempts = new(StringComparer.Ordinal);
    private readonly long _minFreeBytes;
    private readonly FreeSpace _freeSpace;

    public MessageSpool(string path, TimeProvider timeProvider, SpoolSyncMode syncMode = SpoolSyncMode.FileSystem, long recycleBytes = RecycledFiles.DefaultLimitBytes,
        long minFreeBytes = 0)
    {
        _minFreeBytes = minFreeBytes;
        _directories = new SpoolDirectories(path);
        _timeProvider = timeProvider;
        var contents = _directories.Prepare();
        _freeSpace = new FreeSpace(_directories.Root);
        _queued = new QueuedSlots(_directories.Slots);
        foreach (var queueId in contents.WithState) _withState[queueId] = true;
        foreach (var queueId in contents.EarlierQueued) _unverified[queueId] = true;
        foreach (var (queueId, slot) in contents.Slots.Queued)
        {
            _queued.Add(queueId, slot);
            _unverified[queueId] = true;
        }

        QuarantinedAtStart = contents.Slots.Quarantined;
        _committer = new SpoolCommitter(_directories, syncMode);
        _recycled = new RecycledFiles(_directories.Slots, _handles, contents.Slots.Free, recycleBytes);
    }

    public string Root => _directories.Root;

    /// <summary>Slots that said queued but could not be read at start, moved to <c>corrupt/</c>.</summary>
    public IReadOnlyList<string> QuarantinedAtStart { get; }

    /// <summary>Files of delivered messages waiting to be reused.</summary>
    internal int RecycledCount => _recycled.Count;

    /// <summary>Slot handles kept open between uses (see <see cref="SlotHandles"/>).</summary>
    internal int OpenSlotHandles => _handles.Count;

    /// <summary>Their bytes.</summary>
    internal long RecycledBytes => _recycled.Bytes;

    /// <summary>
    /// Whether the spool's file system has the minimum free space plus <paramref name="declaredSize"/> free
    /// (one <c>fstatvfs</c>, see <see cref="FreeSpace"/>). True when it cannot tell: then the write itself will say.
    /// </summary>
    public bool HasRoomFor(long declaredSize)
    {
        if (_minFreeBytes == 0 && declaredSize == 0) return true;
        try
        {
            return _freeSpace.Available - declaredSize >= _minFreeBytes; // no overflow for a huge minimum
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Starts writing a new message; see <see cref="SpoolEntryWriter"/>.</summary>
    public SpoolEntryWriter Begin(MessageEnvelope envelope) => new(_recycled, _handles, _committer, _committedMessages, _queued, envelope);

    /// <summary>The ids of all queued messages, oldest first.</summary>
    public IReadOnlyList<string> ListQueued() =>
        EarlierQueued().Concat(_queued.QueueIds)
            .Order(StringComparer.Ordinal)
            .ToList();

    public int Count => _queued.Count + EarlierQueued().Count();

    /// <summary>Messages queued by an earlier version, one file each in <c>queue/</c>.</summary>
    private IEnumerable<string> EarlierQueued() =>
        Directory.EnumerateFiles(_directories.Queue, "*" + SpoolFile.Extension)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(QueueId.IsValid);

    /// <summary>Whether <see cref="Load"/> of the message would take it from memory, reading no file.</summary>
    public bool HoldsInMemory(string queueId) => _committedMessages.Contains(queueId);

    /// <summary>
    /// Reads a queued message's envelope and state, and the bytes themselves when they are small enough
    /// to relay from memory (<see cref="SpooledMessage.InMemoryLimit"/>); null when it is gone. A message
    /// just committed comes from memory, without reading its file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a whole spool file of this message.</exception>
    public SpooledMessage? Load(string queueId)
    {
        if (_committedMessages.TryTake(queueId, out var committed))
        {
            return new SpooledMessage(committed.Envelope, StateOf(committed.Envelope), committed.Path, SpoolFile.HeaderLength, committed.Content.Length, committed.FileLength)
            {
                Content = committed.Content,
            };
        }

        var path = PathOf(queueId);
        MessageEnvelope envelope;
        long offset, length, fileLength;
        byte[]? content = null;
        try
        {
            // Unbuffered: small reads (magic, length, envelope, then the bytes), no 4 KB buffer per message.
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0);
            (envelope, offset, length) = SpoolFile.Read(file, queueId, verify: _unverified.ContainsKey(queueId));
            fileLength = file.Length;
            _unverified.TryRemove(queueId, out _);
            if (length <= SpooledMessage.InMemoryLimit)
            {
                content = GC.AllocateUninitializedArray<byte>((int)length);
                file.Position = offset;
                file.ReadExactly(content);
            }
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return new SpooledMessage(envelope, StateOf(envelope), path, offset, length, fileLength) { Content = content };
    }

    /// <summary>
    /// Moves a queued message that cannot be read (bad magic, broken trailer) and its state to
    /// <c>corrupt/</c>: retrying it would fail forever, deleting it would lose mail. Returns where it went.
    /// </summary>
    public string Quarantine(string queueId)
    {
        Directory.CreateDirectory(_directories.Corrupt);
        var target = Path.Combine(_directories.Corrupt, queueId + SpoolFile.Extension);
        var path = _queued.TryRemove(queueId, out var slot) ? slot : _directories.EarlierMessagePath(queueId);
        _handles.Forget(path);
        FileRename.Move(path, target);
        _unverified.TryRemove(queueId, out _);
        _untouchedAttempts.TryRemove(queueId, out _);
        if (_withState.TryRemove(queueId, out _))
        {
            FileRename.Move(_directories.StatePath(queueId), Path.Combine(_directories.Corrupt, queueId + ".state"));
        }

        return target;
    }

    /// <summary>
    /// Records how far delivery of <paramref name="message"/> has come. While every recipient is still
    /// pending, only the count of attempts, in memory: a file would protect nothing (after a restart every
    /// queued message is tried at once anyway, and one without a file starts from its first attempt), yet
    /// cost two waits for the disk per deferral, which an outage of every provider multiplies by every
    /// message. Once some recipients are done, the whole state on disk, atomically and durably (write,
    /// fsync, rename, fsync of the folder), so that a restart never delivers to them twice.
    /// </summary>
    public void SaveState(SpooledMessage message, DeliveryState state)
    {
        var queueId = message.QueueId;
        // The pending recipients are always some of the envelope's: as many means the same ones.
        if (state.PendingRecipients.Count == message.Envelope.Recipients.Count && !_withState.ContainsKey(queueId))
        {
            _untouchedAttempts[queueId] = state.Attempts;
            return;
        }

        DurableJsonFile.Write(_directories.StatePath(queueId), Path.Combine(_directories.Temp, queueId + ".state"), state, SpoolFile.Json);
        _withState[queueId] = true;
        _untouchedAttempts.TryRemove(queueId, out _);
    }

    /// <summary>
    /// Removes a message and its state: it was delivered or bounced. Its slot is marked free (not synced:
    /// after a crash in that instant, the message is delivered again) and kept for reuse.
    /// </summary>
    public void Remove(SpooledMessage message)
    {
        if (_queued.TryRemove(message.QueueId, out var slot))
        {
            try
            {
                var handle = _handles.Take(slot);
                try
                {
                    SpoolFile.MarkFree(handle);
                }
                finally
                {
                    _handles.Give(slot, handle);
                }

                _recycled.Return(slot, message.FileLength, durable: true);
            }
            catch (FileNotFoundException)
            {
                // Already gone is what the caller wanted.
            }
        }
        else if (message.Path == _directories.EarlierMessagePath(message.QueueId))
        {
            File.Delete(message.Path); // An earlier version's file, not a slot. (A slot no longer queued may hold another message now.)
        }

        _unverified.TryRemove(message.QueueId, out _);
        _untouchedAttempts.TryRemove(message.QueueId, out _);
        if (_withState.TryRemove(message.QueueId, out _)) File.Delete(_directories.StatePath(message.QueueId));
    }

    private string PathOf(string queueId) => _queued.TryGet(queueId, out var slot) ? slot : _directories.EarlierMessagePath(queueId);

    /// <summary>The state on disk, else every recipient pending after the attempts counted in memory (or none).</summary>
    private DeliveryState StateOf(MessageEnvelope envelope) =>
        ReadState(envelope.QueueId)
        ?? new(envelope.Recipients, _untouchedAttempts.GetValueOrDefault(envelope.QueueId), _timeProvider.GetUtcNow(), null);

    private DeliveryState? ReadState(string queueId)
    {
        if (!_withState.ContainsKey(queueId)) return null;
        var path = _directories.StatePath(queueId);
        try
        {
            using var file = File.OpenRead(path);
            return JsonSerializer.Deserialize<DeliveryState>(file, SpoolFile.Json);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Closes the slots' kept handles and the folders'.</summary>
    public void Dispose()
    {
        _handles.Dispose();
        _freeSpace.Dispose();
        _committer.Dispose();
    }
}
