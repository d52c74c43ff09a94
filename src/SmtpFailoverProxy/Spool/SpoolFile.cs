using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The layout of one spool file. A slot (<c>spool/slots/*.slot</c>, see <see cref="RecycledFiles"/>) starts
/// with a header that says whether it holds a queued message, which one, and where its record ends; then
/// the message bytes exactly as they will be relayed; then the envelope as a trailer, written at commit
/// when all of it (the mail class too) is known; and a last line with the trailer's length and a checksum
/// of everything between the header and that line. Whatever follows the record is what a longer message
/// left there before: slots are written over in place and never cut shorter.
/// <code>
/// SFP4 Q 0123456789ABCDEF0123456789ABCDEF 0000004380\n   (Q queued or F free, the queue id, where the record ends)
/// Received: ...\r\n
/// (message)
/// \n{"QueueId":"...","Sender":"...",...}\n
/// 0000000123 0123456789abcdef\n     (length of the JSON in ten digits, XxHash3 of all since the header, in hex)
/// </code>
/// Commit writes the header last and syncs; delivery's end turns its Q into F, one byte. So a message
/// becomes durable and leaves the queue without a rename: the sync has only data to write, no metadata.
/// After a crash before the sync, a slot whose new bytes did not all reach the disk fails the checksum,
/// or its trailer names another queue id than its header. Files of the earlier layouts, one message per
/// file in <c>queue/</c> with the magic line <c>SFP3</c> (checksummed from the file's start) or
/// <c>SFP2</c> (no checksum), are still read.
/// </summary>
internal static class SpoolFile
{
    /// <summary>The extension of the earlier layouts' files in <c>queue/</c>, and of files moved to <c>corrupt/</c>.</summary>
    public const string Extension = ".msg";

    /// <summary>The header's length: <c>SFP4 Q</c>, a space, the 32-digit queue id, a space, ten digits, a newline.</summary>
    public const int HeaderLength = 51;

    /// <summary>Where the header's state byte is: <see cref="QueuedState"/> or <see cref="FreeState"/>.</summary>
    public const int StateOffset = 5;

    public const byte QueuedState = (byte)'Q';
    public const byte FreeState = (byte)'F';

    private static ReadOnlySpan<byte> SlotMagic => "SFP4 "u8;
    private static ReadOnlySpan<byte> CheckedMagic => "SFP3\n"u8;
    private static ReadOnlySpan<byte> UncheckedMagic => "SFP2\n"u8;
    private const int QueueIdLength = 32;
    private const int LengthDigits = 10;
    private const int ChecksumDigits = 16;
    private const int CheckedLastLine = LengthDigits + 1 + ChecksumDigits + 1;
    private const int UncheckedLastLine = LengthDigits + 1;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes a slot's header: <paramref name="queued"/> or free, and where the record ends.</summary>
    public static void WriteHeader(Span<byte> destination, string queueId, long end, bool queued)
    {
        if (queueId.Length != QueueIdLength) throw new ArgumentException("A queue id has 32 characters.", nameof(queueId));
        SlotMagic.CopyTo(destination);
        destination[StateOffset] = queued ? QueuedState : FreeState;
        destination[StateOffset + 1] = (byte)' ';
        Encoding.ASCII.GetBytes(queueId, destination.Slice(StateOffset + 2, QueueIdLength));
        destination[StateOffset + 2 + QueueIdLength] = (byte)' ';
        if (!end.TryFormat(destination.Slice(HeaderLength - 1 - LengthDigits, LengthDigits), out var written, "D" + LengthDigits, CultureInfo.InvariantCulture)
            || written != LengthDigits)
        {
            throw new ArgumentOutOfRangeException(nameof(end), "A slot's record ends within ten digits of bytes.");
        }

        destination[HeaderLength - 1] = (byte)'\n';
    }

    /// <summary>Whether <paramref name="header"/> starts as a queued slot's does, parseable or not.</summary>
    public static bool StartsQueued(ReadOnlySpan<byte> header) =>
        header.Length > StateOffset && header.StartsWith(SlotMagic) && header[StateOffset] == QueuedState;

    /// <summary>
    /// Reads a slot's header: null when <paramref name="header"/> is not one (a new file never written,
    /// or garbage); otherwise whether it is queued, its queue id and where its record ends.
    /// </summary>
    public static SlotHeader? ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength || !header.StartsWith(SlotMagic) || header[HeaderLength - 1] != (byte)'\n') return null;
        var state = header[StateOffset];
        if (state is not (QueuedState or FreeState)) return null;
        var queueId = Encoding.ASCII.GetString(header.Slice(StateOffset + 2, QueueIdLength));
        if (!QueueId.IsValid(queueId)
            || !long.TryParse(header.Slice(HeaderLength - 1 - LengthDigits, LengthDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            return null;
        }

        return new SlotHeader(state == QueuedState, queueId, end);
    }

    /// <summary>
    /// The bytes that end a spool file: the envelope as JSON, then its length and the checksum of
    /// everything before the last line; <paramref name="checksum"/> holds the bytes before the trailer.
    /// </summary>
    public static byte[] Trailer(MessageEnvelope envelope, XxHash3 checksum)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, Json);
        var trailer = new byte[1 + json.Length + 1 + CheckedLastLine];
        trailer[0] = (byte)'\n';
        json.CopyTo(trailer, 1);
        var lastLine = 2 + json.Length;
        trailer[lastLine - 1] = (byte)'\n';
        checksum.Append(trailer.AsSpan(0, lastLine));
        var line = json.Length.ToString("D" + LengthDigits, CultureInfo.InvariantCulture) + " " + checksum.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture) + "\n";
        Encoding.ASCII.GetBytes(line, trailer.AsSpan(lastLine));
        return trailer;
    }

    /// <summary>
    /// Reads the envelope and where the message bytes lie in the file, and checks that the file holds the
    /// message <paramref name="expectedQueueId"/>. With <paramref name="verify"/>, also reads the whole
    /// file to check its checksum: for files this process did not commit itself (found at start).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a whole spool file of that message.</exception>
    public static SpoolFileLayout Read(FileStream file, string expectedQueueId, bool verify)
    {
        Span<byte> start = stackalloc byte[HeaderLength];
        var startLength = file.ReadAtLeast(start, HeaderLength, throwOnEndOfStream: false);
        long contentStart, checksumStart, end;
        bool isChecked;
        if (start.StartsWith(SlotMagic))
        {
            var header = ReadHeader(start[..startLength]) ?? throw new InvalidDataException("Spool slot has a broken header.");
            if (!header.Queued) throw new InvalidDataException("Spool slot holds no queued message (its header says free).");
            if (header.End > file.Length) throw new InvalidDataException("Spool slot is shorter than its header says: its bytes never all reached the disk.");
            (contentStart, checksumStart, end, isChecked) = (HeaderLength, HeaderLength, header.End, true);
        }
        else
        {
            var magic = start[..Math.Min(startLength, CheckedMagic.Length)];
            isChecked = magic.SequenceEqual(CheckedMagic);
            if (!isChecked && !magic.SequenceEqual(UncheckedMagic)) throw new InvalidDataException("Not a spool file (bad magic).");
            (contentStart, checksumStart, end) = (CheckedMagic.Length, 0, file.Length);
        }

        var lastLineLength = isChecked ? CheckedLastLine : UncheckedLastLine;
        Span<byte> lastLine = stackalloc byte[lastLineLength];
        if (end < contentStart + lastLineLength + 2) throw new InvalidDataException("Spool file too short for its trailer.");
        file.Position = end - lastLineLength;
        file.ReadExactly(lastLine);
        if (!int.TryParse(lastLine[..LengthDigits], NumberStyles.None, CultureInfo.InvariantCulture, out var jsonLength))
        {
            throw new InvalidDataException("Spool file trailer has no length.");
        }

        var lastLineStart = end - lastLineLength;
        var jsonStart = lastLineStart - 1 - jsonLength;
        if (jsonStart - 1 < contentStart) throw new InvalidDataException("Spool file trailer is longer than the file.");
        var json = new byte[jsonLength];
        file.Position = jsonStart;
        file.ReadExactly(json);

        if (isChecked && verify)
        {
            if (!ulong.TryParse(lastLine.Slice(LengthDigits + 1, ChecksumDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var expected)
                || Checksum(file, checksumStart, lastLineStart) != expected)
            {
                throw new InvalidDataException("Spool file checksum does not match: its bytes never all reached the disk.");
            }
        }

        MessageEnvelope envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<MessageEnvelope>(json, Json) ?? throw new InvalidDataException("Spool file has an empty envelope.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("Spool file envelope is not valid JSON: " + ex.Message, ex);
        }

        if (!string.Equals(envelope.QueueId, expectedQueueId, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Spool file holds message {envelope.QueueId}, not {expectedQueueId}: a recycled file whose new message never reached the disk.");
        }

        return new SpoolFileLayout(envelope, contentStart, jsonStart - 1 - contentStart);
    }

    /// <summary>Marks the slot open as <paramref name="slot"/> free: one byte, written over in place, not synced.</summary>
    public static void MarkFree(Microsoft.Win32.SafeHandles.SafeFileHandle slot) => RandomAccess.Write(slot, [FreeState], StateOffset);

    private static ulong Checksum(FileStream file, long from, long to)
    {
        var checksum = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            file.Position = from;
            for (var left = to - from; left > 0;)
            {
                var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0) throw new InvalidDataException("Spool file ended while its checksum was read.");
                checksum.Append(buffer.AsSpan(0, read));
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return checksum.GetCurrentHashAsUInt64();
    }
}

/// <summary>A slot's header: whether it holds a queued message, which, and where its record ends.</summary>
internal sealed record SlotHeader(bool Queued, string QueueId, long End);

/// <summary>What <see cref="SpoolFile.Read"/> found: the envelope and where the message bytes lie.</summary>
internal readonly record struct SpoolFileLayout(MessageEnvelope Envelope, long ContentOffset, long ContentLength);
