using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The layout of one spool file: a magic line, the message bytes exactly as they will be relayed, then
/// the envelope as a trailer, written at commit when all of it (the mail class too) is known, and a last
/// line with the trailer's length and a checksum of everything before that line.
/// <code>
/// SFP3\n
/// Received: ...\r\n
/// (message)
/// \n{"QueueId":"...","Sender":"...",...}\n
/// 0000000123 0123456789abcdef\n     (length of the JSON in ten digits, XxHash3 of all before, in hex)
/// </code>
/// The checksum is what lets a commit rename a file into the queue before its bytes are synced (one sync
/// per group instead of two): after a crash in between, a file whose new bytes never reached the disk
/// fails the checksum, or carries the old message of a recycled file under the new message's name (the
/// queue id in its envelope then differs from the file's name). Files of the previous layout
/// (<c>SFP2</c>, without the checksum) are still read.
/// </summary>
internal static class SpoolFile
{
    public const string Extension = ".msg";
    /// <summary>The first line of every spool file written now.</summary>
    public static ReadOnlySpan<byte> Magic => "SFP3\n"u8;
    private static ReadOnlySpan<byte> UncheckedMagic => "SFP2\n"u8;
    private const int LengthDigits = 10;
    private const int ChecksumDigits = 16;
    private const int CheckedLastLine = LengthDigits + 1 + ChecksumDigits + 1;
    private const int UncheckedLastLine = LengthDigits + 1;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

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
        Span<byte> magic = stackalloc byte[Magic.Length];
        file.ReadExactly(magic);
        var isChecked = magic.SequenceEqual(Magic);
        if (!isChecked && !magic.SequenceEqual(UncheckedMagic)) throw new InvalidDataException("Not a spool file (bad magic).");

        var lastLineLength = isChecked ? CheckedLastLine : UncheckedLastLine;
        Span<byte> lastLine = stackalloc byte[lastLineLength];
        if (file.Length < Magic.Length + lastLineLength + 2) throw new InvalidDataException("Spool file too short for its trailer.");
        file.Position = file.Length - lastLineLength;
        file.ReadExactly(lastLine);
        if (!int.TryParse(lastLine[..LengthDigits], NumberStyles.None, CultureInfo.InvariantCulture, out var jsonLength))
        {
            throw new InvalidDataException("Spool file trailer has no length.");
        }

        var lastLineStart = file.Length - lastLineLength;
        var jsonStart = lastLineStart - 1 - jsonLength;
        if (jsonStart - 1 < Magic.Length) throw new InvalidDataException("Spool file trailer is longer than the file.");
        var json = new byte[jsonLength];
        file.Position = jsonStart;
        file.ReadExactly(json);

        if (isChecked && verify)
        {
            if (!ulong.TryParse(lastLine.Slice(LengthDigits + 1, ChecksumDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var expected)
                || Checksum(file, lastLineStart) != expected)
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

        return new SpoolFileLayout(envelope, Magic.Length, jsonStart - 1 - Magic.Length);
    }

    private static ulong Checksum(FileStream file, long length)
    {
        var checksum = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            file.Position = 0;
            for (var left = length; left > 0;)
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

/// <summary>What <see cref="SpoolFile.Read"/> found: the envelope and where the message bytes lie.</summary>
internal readonly record struct SpoolFileLayout(MessageEnvelope Envelope, long ContentOffset, long ContentLength);
