using System.Buffers;
using System.Text;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// Decides, line by line while DATA streams in, which header lines are relayed. Everything is relayed
/// as received except Bcc (RFC 5322 3.6.3: it must not reach the To/Cc recipients) and our own
/// X-Mail-Class, folded lines included. On the way it notes the fields that decide the mail class.
/// </summary>
internal sealed class MessageHeaderFilter
{
    private static readonly byte[][] Removed = [Encoding.ASCII.GetBytes("Bcc"), Encoding.ASCII.GetBytes("X-Mail-Class")];

    private bool _inHeader = true;
    private bool _skipping;

    /// <summary>True while the header section has not ended.</summary>
    public bool InHeader => _inHeader;

    /// <summary>The fields seen so far that decide the mail class.</summary>
    public MessageHeaderSummary Summary { get; private set; } = new(null, null, false, null);

    /// <summary>Returns true when the (unstuffed) line is to be written to the spool.</summary>
    public bool ShouldWrite(in ReadOnlySequence<byte> line)
    {
        if (!_inHeader) return true;
        if (line.IsEmpty)
        {
            _inHeader = false;
            return true;
        }

        var first = line.FirstSpan[0];
        if (first is (byte)' ' or (byte)'\t') return !_skipping; // RFC 5322 2.2.3 folding

        Span<byte> head = stackalloc byte[80];
        var length = (int)Math.Min(line.Length, head.Length);
        line.Slice(0, length).CopyTo(head);
        var colon = head[..length].IndexOf((byte)':');
        if (colon <= 0)
        {
            // Not a header field: the body started without the empty line. Relay the rest as is.
            _inHeader = false;
            _skipping = false;
            return true;
        }

        var name = head[..colon].TrimEnd((byte)' ');
        Note(name, line, colon);
        _skipping = false;
        foreach (var removed in Removed)
        {
            if (Ascii.EqualsIgnoreCase(name, removed)) _skipping = true;
        }

        return !_skipping;
    }

    private void Note(ReadOnlySpan<byte> name, in ReadOnlySequence<byte> line, int colon)
    {
        string Value(in ReadOnlySequence<byte> l)
        {
            var bytes = l.Slice(colon + 1, Math.Min(l.Length - colon - 1, 998));
            return Encoding.UTF8.GetString(bytes.ToArray()).Trim();
        }

        if (Ascii.EqualsIgnoreCase(name, "X-Mail-Class"u8)) Summary = Summary with { MailClass = Value(line) };
        else if (Ascii.EqualsIgnoreCase(name, "Precedence"u8)) Summary = Summary with { Precedence = Value(line) };
        else if (Ascii.EqualsIgnoreCase(name, "List-Unsubscribe"u8)) Summary = Summary with { HasListUnsubscribe = true };
        else if (Ascii.EqualsIgnoreCase(name, "Subject"u8)) Summary = Summary with { Subject = Value(line) };
        else if (Ascii.EqualsIgnoreCase(name, "From"u8) && MimeKit.InternetAddressList.TryParse(Value(line), out var from)
                 && from.Mailboxes.FirstOrDefault() is { } mailbox)
        {
            Summary = Summary with { FromDomain = mailbox.Domain };
        }
    }
}
