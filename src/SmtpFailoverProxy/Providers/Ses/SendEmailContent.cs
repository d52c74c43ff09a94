using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// The JSON body of SESv2 <c>SendEmail</c>, streamed: the JSON around <c>Content.Raw.Data</c> is built in
/// memory, the message itself is read from its source and base64-encoded piece by piece as the request
/// is written. A 40 MB message therefore costs two 48 KB buffers, not the message, its base64 and a copy
/// (about 150 MB). SigV4 needs the body's SHA-256 before the request goes, so <see cref="ComputeSha256Async"/>
/// reads the message once more, the same way.
/// </summary>
internal sealed class SendEmailContent : HttpContent
{
    // A multiple of 3: every piece but the last encodes without padding.
    private const int ChunkSize = 48 * 1024;

    private readonly byte[] _prefix;
    private readonly byte[] _suffix;
    private readonly Func<Stream> _openMessage;
    private readonly long _messageLength;

    /// <param name="prefix">The JSON up to and including the opening quote of <c>Data</c>.</param>
    /// <param name="suffix">The JSON from the closing quote of <c>Data</c> on.</param>
    /// <param name="openMessage">Opens the message bytes; called for each pass (hash, then send).</param>
    /// <param name="messageLength">The message's length in bytes.</param>
    public SendEmailContent(byte[] prefix, byte[] suffix, Func<Stream> openMessage, long messageLength)
    {
        _prefix = prefix;
        _suffix = suffix;
        _openMessage = openMessage;
        _messageLength = messageLength;
        Headers.ContentType = new MediaTypeHeaderValue("application/json");
    }

    /// <summary>Hex SHA-256 of the body, for SigV4.</summary>
    public async Task<string> ComputeSha256Async(CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await WriteBodyAsync(piece =>
        {
            hash.AppendData(piece.Span);
            return ValueTask.CompletedTask;
        }, cancellationToken);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        WriteBodyAsync(piece => stream.WriteAsync(piece, cancellationToken), cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = _prefix.Length + (_messageLength + 2) / 3 * 4 + _suffix.Length;
        return true;
    }

    private async Task WriteBodyAsync(Func<ReadOnlyMemory<byte>, ValueTask> write, CancellationToken cancellationToken)
    {
        await write(_prefix);
        var raw = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var encoded = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(ChunkSize));
        try
        {
            await using var message = _openMessage();
            long total = 0;
            while (true)
            {
                // Fill a whole chunk (reads may return less), so only the last one can need padding.
                var filled = 0;
                int read;
                while (filled < ChunkSize && (read = await message.ReadAsync(raw.AsMemory(filled, ChunkSize - filled), cancellationToken)) > 0) filled += read;
                total += filled;
                var last = filled < ChunkSize;
                Base64.EncodeToUtf8(raw.AsSpan(0, filled), encoded, out _, out var written, isFinalBlock: true);
                if (written > 0) await write(encoded.AsMemory(0, written));
                if (last) break;
            }

            if (total != _messageLength) throw new IOException($"The message is {total} bytes, not the {_messageLength} its envelope says.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            ArrayPool<byte>.Shared.Return(encoded);
        }

        await write(_suffix);
    }
}
