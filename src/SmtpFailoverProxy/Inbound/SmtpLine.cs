using System.Buffers;

namespace SmtpFailoverProxy.Inbound;

/// <summary>How a line read from the client ended.</summary>
internal enum LineEnding
{
    /// <summary>CR LF, the only line ending RFC 5321 2.3.8 allows.</summary>
    CrLf,

    /// <summary>LF without CR before it.</summary>
    BareLf,

    /// <summary>No ending yet: the line was longer than the limit and this is a piece of it.</summary>
    None,
}

/// <summary>
/// A line, or a piece of an overlong line, as read from the client. <see cref="Content"/> excludes the
/// line ending and is valid only until the next read.
/// </summary>
/// <param name="Content">The bytes of the line without CR LF or LF.</param>
/// <param name="Ending">How the line ended.</param>
/// <param name="StartsLine">False for the second and later pieces of an overlong line.</param>
/// <param name="TooLong">The line, ending included, is longer than the limit asked for.</param>
internal readonly record struct SmtpLine(ReadOnlySequence<byte> Content, LineEnding Ending, bool StartsLine, bool TooLong)
{
    /// <summary>True for a line that is a single "." ended by CR LF (RFC 5321 4.1.1.4).</summary>
    public bool IsDataTerminator => StartsLine && Ending == LineEnding.CrLf && Content.Length == 1 && Content.FirstSpan[0] == (byte)'.';
}
