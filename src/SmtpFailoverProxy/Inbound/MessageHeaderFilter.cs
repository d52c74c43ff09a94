using System.Buffers;
using System.Text;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// Decides, line by line while DATA streams in, which header lines are relayed. Everything is relayed
/// as received except Bcc (RFC 5322 3.6.3: it must not reach the To/Cc recipients), folded lines included.
/// </summary>
internal sealed class MessageHeaderFilter
{
    private static readonly byte[][] Removed = [Encoding.ASCII.GetBytes("Bcc")];

    private bool _inHeader = true;
    private bool _skipping;

    /// <summary>True while the header section has not ended.</summary>
    public bool InHeader => _inHeader;

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
        _skipping = false;
        foreach (var removed in Removed)
        {
            if (Ascii.EqualsIgnoreCase(name, removed)) _skipping = true;
        }

        return !_skipping;
    }
}
