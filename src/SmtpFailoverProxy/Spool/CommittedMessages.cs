using System.Collections.Concurrent;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// Messages this process just committed, with their bytes, kept until delivery loads them: the relay then
/// reads neither the file nor its envelope back from disk. The bytes kept are capped (<see cref="MaxBytes"/>):
/// under a backlog, later messages are read from their files as before, so memory never grows with the queue.
/// </summary>
internal sealed class CommittedMessages
{
    /// <summary>Message bytes held at most, over all messages.</summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, CommittedMessage> _messages = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>Bytes held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Keeps a message committed under <paramref name="path"/> when there is room.</summary>
    public void TryAdd(MessageEnvelope envelope, string path, long fileLength, byte[] content)
    {
        if (Interlocked.Add(ref _bytes, content.Length) > MaxBytes || !_messages.TryAdd(envelope.QueueId, new CommittedMessage(envelope, path, fileLength, content)))
        {
            Interlocked.Add(ref _bytes, -content.Length);
        }
    }

    /// <summary>Whether the message is held here (a load of it would read no file).</summary>
    public bool Contains(string queueId) => _messages.ContainsKey(queueId);

    /// <summary>The message, once: whoever takes it owns it, and a later load reads the file.</summary>
    public bool TryTake(string queueId, out CommittedMessage message)
    {
        if (!_messages.TryRemove(queueId, out message!)) return false;
        Interlocked.Add(ref _bytes, -message.Content.Length);
        return true;
    }
}
