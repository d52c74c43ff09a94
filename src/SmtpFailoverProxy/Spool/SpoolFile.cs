using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The layout of one spool file: a magic line, the message bytes exactly as they will be relayed, then
/// the envelope as a trailer, written at commit when all of it (the mail class too) is known.
/// <code>
/// SFP2\n
/// Received: ...\r\n
/// (message)
/// \n{"QueueId":"...","Sender":"...",...}\n
/// 0000000123\n          (length of the JSON, ten digits)
/// </code>
/// </summary>
internal static class SpoolFile
{
    public const string Extension = ".msg";
    /// <summary>The first line of every spool file.</summary>
    public static ReadOnlySpan<byte> Magic => "SFP2\n"u8;
    private const int LengthDigits = 10;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The bytes that end a spool file: the envelope as JSON, then its length in ten digits.</summary>
    public static byte[] Trailer(MessageEnvelope envelope)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, Json);
        var trailer = new byte[1 + json.Length + 1 + LengthDigits + 1];
        trailer[0] = (byte)'\n';
        json.CopyTo(trailer, 1);
        trailer[1 + json.Length] = (byte)'\n';
        Encoding.ASCII.GetBytes(json.Length.ToString("D" + LengthDigits, CultureInfo.InvariantCulture), trailer.AsSpan(2 + json.Length));
        trailer[^1] = (byte)'\n';
        return trailer;
    }

    /// <summary>Reads the envelope and where the message bytes lie in the file.</summary>
    public static (MessageEnvelope Envelope, long ContentOffset, long ContentLength) Read(FileStream file)
    {
        Span<byte> magic = stackalloc byte[Magic.Length];
        file.ReadExactly(magic);
        if (!magic.SequenceEqual(Magic)) throw new InvalidDataException("Not a spool file (bad magic).");

        Span<byte> digits = stackalloc byte[LengthDigits + 1];
        if (file.Length < Magic.Length + digits.Length + 2) throw new InvalidDataException("Spool file too short for its trailer.");
        file.Position = file.Length - digits.Length;
        file.ReadExactly(digits);
        if (!int.TryParse(digits[..LengthDigits], NumberStyles.None, CultureInfo.InvariantCulture, out var jsonLength))
        {
            throw new InvalidDataException("Spool file trailer has no length.");
        }

        var jsonStart = file.Length - digits.Length - 1 - jsonLength;
        if (jsonStart - 1 < Magic.Length) throw new InvalidDataException("Spool file trailer is longer than the file.");
        var json = new byte[jsonLength];
        file.Position = jsonStart;
        file.ReadExactly(json);
        var envelope = JsonSerializer.Deserialize<MessageEnvelope>(json, Json) ?? throw new InvalidDataException("Spool file has an empty envelope.");
        return (envelope, Magic.Length, jsonStart - 1 - Magic.Length);
    }
}
