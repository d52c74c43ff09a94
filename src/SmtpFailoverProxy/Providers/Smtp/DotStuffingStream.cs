namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// A write-only stream that turns message bytes into DATA content (RFC 5321 4.5.2): a dot at the start of
/// a line is doubled, a bare LF becomes CR LF, and <see cref="CompleteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> ends the content with
/// CR LF . CR LF (adding the CR LF the message lacks, if any). Output is staged in one buffer, so a small message and its
/// terminator leave in one write. One instance serves one message after another (<see cref="Begin"/>).
/// </summary>
internal sealed class DotStuffingStream(Stream inner) : Stream
{
    private const int BufferSize = 64 * 1024;
    private static readonly byte[] Terminator = ".\r\n"u8.ToArray();

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _length;
    // A line starts at the very beginning and after every LF.
    private bool _atLineStart = true;
    private bool _lastWasCr;
    private Action? _beforeEachWrite;

    /// <summary>Starts the next message's content; <paramref name="beforeEachWrite"/> runs before each write to the connection.</summary>
    public void Begin(Action? beforeEachWrite)
    {
        _length = 0;
        _atLineStart = true;
        _lastWasCr = false;
        _beforeEachWrite = beforeEachWrite;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            // Worst case a byte becomes two (".\n" becomes "..\r\n"): take no more than half the free room.
            var take = Math.Min(buffer.Length, (BufferSize - _length) / 2);
            if (take == 0)
            {
                await FlushBufferAsync(cancellationToken);
                continue;
            }

            Stuff(buffer.Span[..take]);
            buffer = buffer[take..];
        }
    }

    private void Stuff(ReadOnlySpan<byte> input)
    {
        var output = _buffer.AsSpan(_length);
        var written = 0;
        while (input.Length > 0)
        {
            if (_atLineStart && input[0] == '.') output[written++] = (byte)'.';
            var newline = input.IndexOf((byte)'\n');
            if (newline < 0)
            {
                input.CopyTo(output[written..]);
                written += input.Length;
                _lastWasCr = input[^1] == '\r';
                _atLineStart = false;
                break;
            }

            // A bare LF goes out as CR LF, as Postfix's client does: SMTP lines end with CR LF (RFC 5321 2.3.8).
            var line = input[..newline];
            line.CopyTo(output[written..]);
            written += line.Length;
            var hasCr = newline > 0 ? line[^1] == '\r' : _lastWasCr;
            if (!hasCr) output[written++] = (byte)'\r';
            output[written++] = (byte)'\n';
            _lastWasCr = false;
            _atLineStart = true;
            input = input[(newline + 1)..];
        }

        _length += written;
    }

    /// <summary>
    /// Ends the content: CR LF if the message did not end with a line break, then the lone dot, and after
    /// it <paramref name="next"/> (the next message's pipelined commands, or nothing), in one write when
    /// they fit the buffer.
    /// </summary>
    public async ValueTask CompleteAsync(ReadOnlyMemory<byte> next, CancellationToken cancellationToken)
    {
        if (BufferSize - _length < 5) await FlushBufferAsync(cancellationToken);
        if (!_atLineStart)
        {
            _buffer[_length++] = (byte)'\r';
            _buffer[_length++] = (byte)'\n';
        }

        Terminator.CopyTo(_buffer, _length);
        _length += Terminator.Length;
        if (next.Length > BufferSize - _length) await FlushBufferAsync(cancellationToken);
        if (next.Length > BufferSize)
        {
            _beforeEachWrite?.Invoke();
            await inner.WriteAsync(next, cancellationToken);
        }
        else
        {
            next.Span.CopyTo(_buffer.AsSpan(_length));
            _length += next.Length;
        }

        await FlushBufferAsync(cancellationToken);
    }

    /// <inheritdoc cref="CompleteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
    public ValueTask CompleteAsync(CancellationToken cancellationToken) => CompleteAsync(ReadOnlyMemory<byte>.Empty, cancellationToken);

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_length == 0) return;
        _beforeEachWrite?.Invoke();
        await inner.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        _length = 0;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("DATA content is written asynchronously");
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
