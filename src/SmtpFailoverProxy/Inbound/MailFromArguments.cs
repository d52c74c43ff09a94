namespace SmtpFailoverProxy.Inbound;

/// <summary>The arguments of MAIL FROM: the reverse-path and the ESMTP parameters we advertise.</summary>
/// <param name="Sender">The reverse-path.</param>
/// <param name="DeclaredSize">SIZE= (RFC 1870), when given.</param>
/// <param name="EightBitMime">BODY=8BITMIME (RFC 6152).</param>
/// <param name="SmtpUtf8">SMTPUTF8 (RFC 6531).</param>
internal sealed record MailFromArguments(MailPath Sender, long? DeclaredSize, bool EightBitMime, bool SmtpUtf8)
{
    /// <summary>Parses what follows "MAIL ". Returns false with the reply to send.</summary>
    public static bool TryParse(string argument, out MailFromArguments? result, out SmtpReply? error)
    {
        result = null;
        if (!TryStripPrefix(argument, "FROM:", out var position))
        {
            error = SmtpReply.SyntaxError;
            return false;
        }

        if (!MailPath.TryParse(argument, ref position, allowNull: true, out var sender))
        {
            error = SmtpReply.BadSenderSyntax;
            return false;
        }

        long? size = null;
        bool eightBit = false, smtpUtf8 = false;
        foreach (var (key, value) in ReadParameters(argument, position))
        {
            switch (key.ToUpperInvariant())
            {
                case "SIZE" when value is not null && long.TryParse(value, System.Globalization.NumberStyles.None, null, out var s):
                    size = s;
                    break;
                case "BODY" when value is not null && value.Equals("7BIT", StringComparison.OrdinalIgnoreCase):
                    break;
                case "BODY" when value is not null && value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase):
                    eightBit = true;
                    break;
                case "SMTPUTF8" when value is null:
                    smtpUtf8 = true;
                    break;
                case "SIZE" or "BODY" or "SMTPUTF8":
                    error = SmtpReply.SyntaxError;
                    return false;
                case "":
                    error = SmtpReply.SyntaxError;
                    return false;
                default:
                    error = SmtpReply.UnsupportedParameter;
                    return false;
            }
        }

        if (sender.IsInternational && !smtpUtf8)
        {
            error = SmtpReply.NonAsciiNeedsSmtpUtf8;
            return false;
        }

        result = new MailFromArguments(sender, size, eightBit, smtpUtf8);
        error = null;
        return true;
    }

    /// <summary>Parses what follows "RCPT ". No RCPT parameters are advertised, so any is refused.</summary>
    public static bool TryParseRecipient(string argument, bool smtpUtf8, out MailPath recipient, out SmtpReply? error)
    {
        recipient = default;
        if (!TryStripPrefix(argument, "TO:", out var position))
        {
            error = SmtpReply.SyntaxError;
            return false;
        }

        if (argument.AsSpan(position).StartsWith("<>"))
        {
            error = SmtpReply.NoNullRecipient;
            return false;
        }

        if (!MailPath.TryParse(argument, ref position, allowNull: false, out recipient))
        {
            error = SmtpReply.BadRecipientSyntax;
            return false;
        }

        if (ReadParameters(argument, position).Any())
        {
            error = position < argument.Length && argument[position] != ' ' ? SmtpReply.BadRecipientSyntax : SmtpReply.UnsupportedParameter;
            return false;
        }

        if (recipient.IsInternational && !smtpUtf8)
        {
            error = SmtpReply.NonAsciiNeedsSmtpUtf8;
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryStripPrefix(string argument, string prefix, out int position)
    {
        position = 0;
        if (!argument.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        position = prefix.Length;
        // Not in RFC 5321, but common and harmless: a space after the colon.
        while (position < argument.Length && argument[position] == ' ') position++;
        return true;
    }

    // esmtp-param = esmtp-keyword ["=" esmtp-value], separated by SP (RFC 5321 4.1.2).
    private static IEnumerable<(string Key, string? Value)> ReadParameters(string argument, int position)
    {
        if (position >= argument.Length) yield break;
        if (argument[position] != ' ')
        {
            yield return (string.Empty, null);
            yield break;
        }

        foreach (var token in argument[position..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=');
            yield return eq < 0 ? (token, null) : (token[..eq], token[(eq + 1)..]);
        }
    }
}
