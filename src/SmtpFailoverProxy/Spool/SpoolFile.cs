using System.Text;
using System.Text.Json;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The layout of one spool file: a magic line, the envelope as one line of JSON, then the message bytes
/// exactly as they will be relayed.
/// <code>
/// SFP1\n
/// {"QueueId":"...","Sender":"...",...}\n
/// Received: ...\r\n
/// (message)
/// </code>
/// </summary>
internal static class SpoolFile
{
    public const string Extension = ".msg";
    private static ReadOnlySpan<byte> Magic => "SFP1\n"u8;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static void WriteHeader(Stream stream, MessageEnvelope envelope)
    {
        stream.Write(Magic);
        var json = JsonSerializer.SerializeToUtf8Bytes(envelope, Json);
        stream.Write(json);
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Reads the envelope and leaves <paramref name="stream"/> at the first byte of the message.</summary>
    public static MessageEnvelope ReadHeader(Stream stream)
    {
        Span<byte> magic = stackalloc byte[Magic.Length];
        stream.ReadExactly(magic);
        if (!magic.SequenceEqual(Magic)) throw new InvalidDataException("Not a spool file (bad magic).");

        var line = new MemoryStream();
        int b;
        while ((b = stream.ReadByte()) != '\n')
        {
            if (b < 0) throw new InvalidDataException("Spool file ends inside its envelope.");
            line.WriteByte((byte)b);
        }

        return JsonSerializer.Deserialize<MessageEnvelope>(line.GetBuffer().AsSpan(0, (int)line.Length), Json)
            ?? throw new InvalidDataException("Spool file has an empty envelope.");
    }

    public static string ToText(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
