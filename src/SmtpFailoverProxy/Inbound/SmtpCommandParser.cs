using System.Text;

namespace SmtpFailoverProxy.Inbound;

/// <summary>Parses one command line (without CRLF) from bytes.</summary>
internal static class SmtpCommandParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly (byte[] Name, SmtpVerb Verb)[] Verbs =
    [
        ("EHLO"u8.ToArray(), SmtpVerb.Ehlo),
        ("HELO"u8.ToArray(), SmtpVerb.Helo),
        ("MAIL"u8.ToArray(), SmtpVerb.Mail),
        ("RCPT"u8.ToArray(), SmtpVerb.Rcpt),
        ("DATA"u8.ToArray(), SmtpVerb.Data),
        ("RSET"u8.ToArray(), SmtpVerb.Rset),
        ("NOOP"u8.ToArray(), SmtpVerb.Noop),
        ("QUIT"u8.ToArray(), SmtpVerb.Quit),
        ("HELP"u8.ToArray(), SmtpVerb.Help),
        ("VRFY"u8.ToArray(), SmtpVerb.Vrfy),
        ("EXPN"u8.ToArray(), SmtpVerb.Expn),
        ("BDAT"u8.ToArray(), SmtpVerb.Bdat),
        ("STARTTLS"u8.ToArray(), SmtpVerb.StartTls),
        ("AUTH"u8.ToArray(), SmtpVerb.Auth),
    ];

    /// <summary>
    /// Parses <paramref name="line"/>. Returns false with the reply to send when the line is not a
    /// well-formed command: a control character (NUL included) anywhere, or bytes that are not UTF-8.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out SmtpCommand command, out SmtpReply? error)
    {
        command = default;
        foreach (var b in line)
        {
            // RFC 5321 4.1.1: commands are printable text; HT is tolerated as white space.
            if (b < 0x20 && b != (byte)'\t' || b == 0x7F)
            {
                error = SmtpReply.SyntaxError;
                return false;
            }
        }

        var space = line.IndexOf((byte)' ');
        var verbBytes = space < 0 ? line : line[..space];
        var verb = SmtpVerb.Unknown;
        foreach (var (name, value) in Verbs)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(verbBytes, name))
            {
                verb = value;
                break;
            }
        }

        if (verb == SmtpVerb.Unknown)
        {
            error = SmtpReply.UnknownCommand;
            return false;
        }

        var argumentBytes = space < 0 ? ReadOnlySpan<byte>.Empty : line[(space + 1)..].TrimEnd((byte)' ');
        string argument;
        try
        {
            argument = argumentBytes.IsEmpty ? string.Empty : StrictUtf8.GetString(argumentBytes);
        }
        catch (DecoderFallbackException)
        {
            error = SmtpReply.SyntaxError;
            return false;
        }

        command = new SmtpCommand(verb, argument);
        error = null;
        return true;
    }
}
