using System.Buffers;
using System.IO.Pipelines;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// Reads lines from a <see cref="PipeReader"/> without copying them: each line is a slice of the pipe's
/// buffer, released at the next read. A line longer than the limit comes back in pieces of at most the
/// limit, so the buffer never grows past it. Each wait for input is bounded by a timeout read from the
/// injected <see cref="TimeProvider"/>; <see cref="TimedOut"/> tells a timeout from other cancellations.
/// </summary>
internal sealed class SmtpLineReader : IDisposable
{
    private readonly PipeReader _reader;
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private ReadOnlySequence<byte> _buffer;
    private bool _holding;
    private bool _completed;
    private bool _atLineStart = true;

    /// <param name="reader">The client's side of the connection.</param>
    /// <param name="timeProvider">Clock for the read timeouts.</param>
    /// <param name="sessionToken">Cancelled at host shutdown or when the connection is gone.</param>
    public SmtpLineReader(PipeReader reader, TimeProvider timeProvider, CancellationToken sessionToken)
    {
        _reader = reader;
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token, sessionToken);
    }

    /// <summary>True once a read was cancelled because the client sent nothing in time.</summary>
    public bool TimedOut => _timeout.IsCancellationRequested;

    /// <summary>True when bytes the client already sent wait to be read (a pipelined command).</summary>
    public bool HasBufferedInput => _holding && !_buffer.IsEmpty;

    /// <summary>
    /// The next line (or piece of an overlong line) when it is already buffered: no wait, and none of an
    /// async call's machinery, for the many lines of DATA that arrive together. False when
    /// <see cref="ReadLineAsync"/> must wait for input.
    /// </summary>
    public bool TryReadBufferedLine(int maxLength, out SmtpLine line)
    {
        if (_holding && TrySliceLine(maxLength, out line)) return true;
        line = default;
        return false;
    }

    /// <summary>
    /// Reads the next line, or the next piece of an overlong line. Returns null when the client has
    /// closed its side; an unterminated last line is then dropped.
    /// </summary>
    /// <param name="maxLength">The longest line accepted, line ending included (RFC 5321 4.5.3.1).</param>
    /// <param name="timeout">How long to wait for more input when none is buffered.</param>
    /// <exception cref="OperationCanceledException">Timeout, shutdown, or connection gone.</exception>
    public async ValueTask<SmtpLine?> ReadLineAsync(int maxLength, TimeSpan timeout)
    {
        while (true)
        {
            if (_holding)
            {
                if (TrySliceLine(maxLength, out var line)) return line;
                if (_completed) return null;
                // Nothing complete: keep what is buffered, wait for more.
                _reader.AdvanceTo(_buffer.Start, _buffer.End);
                _holding = false;
            }

            // The timer runs only while we wait, not per line.
            _timeout.CancelAfter(timeout);
            var result = await _reader.ReadAsync(_linked.Token);
            _timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            _buffer = result.Buffer;
            _holding = true;
            _completed = result.IsCompleted || result.IsCanceled;
        }
    }

    /// <summary>Gives back to the pipe whatever is held, consumed up to the last line returned.</summary>
    public void Release()
    {
        if (!_holding) return;
        _reader.AdvanceTo(_buffer.Start);
        _holding = false;
    }

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }

    private bool TrySliceLine(int maxLength, out SmtpLine line)
    {
        // Look for LF only within the limit: a longer line is cut into pieces whatever was buffered.
        var window = _buffer.Length > maxLength ? _buffer.Slice(0, maxLength) : _buffer;
        if (window.PositionOf((byte)'\n') is { } lf)
        {
            var startsLine = _atLineStart;
            _atLineStart = true;
            var withCr = _buffer.Slice(0, lf);
            _buffer = _buffer.Slice(_buffer.GetPosition(1, lf));
            var endsWithCr = withCr.Length > 0 && withCr.Slice(withCr.Length - 1).FirstSpan[0] == (byte)'\r';
            var content = endsWithCr ? withCr.Slice(0, withCr.Length - 1) : withCr;
            line = new SmtpLine(content, endsWithCr ? LineEnding.CrLf : LineEnding.BareLf, startsLine, TooLong: !startsLine);
            return true;
        }

        if (_buffer.Length >= maxLength)
        {
            var piece = _buffer.Slice(0, maxLength);
            line = new SmtpLine(piece, LineEnding.None, _atLineStart, TooLong: true);
            _atLineStart = false;
            _buffer = _buffer.Slice(maxLength);
            return true;
        }

        line = default;
        return false;
    }
}
