using System.Text;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// Reads an upstream server's replies from its stream (RFC 5321 4.2): lines of "ddd-text" ending with
/// one "ddd text", all with the same code. Several pipelined replies may arrive in one read; the rest
/// stays buffered for the next call.
/// </summary>
internal sealed class SmtpReplyReader(Stream stream)
{
    // RFC 5321 4.5.3.1.5 allows 512 octets a reply line; real servers send more (long EHLO lists, long texts).
    private const int MaxLineBytes = 4096;
    private const int MaxLines = 200;

    private readonly byte[] _buffer = new byte[2 * MaxLineBytes];
    private int _start;
    private int _end;

    /// <summary>Whether bytes beyond the replies read so far have arrived (a server that speaks out of turn).</summary>
    public bool HasBufferedBytes => _end > _start;

    public async ValueTask<SmtpServerReply> ReadAsync(CancellationToken cancellationToken)
    {
        var code = 0;
        List<string>? lines = null;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line.Length < 3 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2])
                || (line.Length > 3 && line[3] is not ('-' or ' ')))
            {
                throw new SmtpProtocolViolation($"The upstream sent a line that is not an SMTP reply: '{Truncate(line)}'");
            }

            var lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            if (code != 0 && lineCode != code) throw new SmtpProtocolViolation($"The upstream changed the reply code from {code} to {lineCode} within one reply");
            code = lineCode;
            var text = line.Length > 4 ? line[4..] : string.Empty;
            var last = line.Length == 3 || line[3] == ' ';
            // Most replies are one line: no list for them.
            if (lines is null && last) return new SmtpServerReply(code, [text]);
            lines ??= [];
            lines.Add(text);
            if (last) return new SmtpServerReply(code, lines);
            if (lines.Count >= MaxLines) throw new SmtpProtocolViolation($"The upstream sent a reply of more than {MaxLines} lines");
        }
    }

    private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = newline > 0 && available[newline - 1] == '\r' ? newline - 1 : newline;
                // Replies are ASCII; SMTPUTF8 servers may send UTF-8 text (RFC 6531 3.7.4.2).
                var line = Encoding.UTF8.GetString(available[..length]);
                _start += newline + 1;
                return line;
            }

            if (available.Length >= MaxLineBytes) throw new SmtpProtocolViolation($"The upstream sent a reply line longer than {MaxLineBytes} bytes");
            if (_start > 0)
            {
                available.CopyTo(_buffer);
                _end = available.Length;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0) throw new SmtpProtocolViolation("The upstream closed the connection" + (_end > _start ? " in the middle of a reply" : ""));
            _end += read;
        }
    }

    private static string Truncate(string line) => line.Length <= 80 ? line : line[..80] + "...";
}
