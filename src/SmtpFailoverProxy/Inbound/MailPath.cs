using System.Text;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// A reverse-path or forward-path (RFC 5321 4.1.2) reduced to its mailbox, as the client wrote it.
/// The null reverse-path <c>&lt;&gt;</c> has an empty <see cref="Address"/>.
/// </summary>
internal readonly record struct MailPath(string Address, bool IsInternational)
{
    public static readonly MailPath Null = new(string.Empty, false);

    public bool IsNull => Address.Length == 0;

    /// <summary>The domain part, after the last '@'; empty for the null path.</summary>
    public string Domain => IsNull ? string.Empty : Address[(Address.LastIndexOf('@') + 1)..];

    public override string ToString() => $"<{Address}>";

    /// <summary>
    /// Parses a path at <paramref name="position"/> of <paramref name="text"/> and moves past its closing '&gt;'.
    /// </summary>
    /// <remarks>
    /// Grammar of RFC 5321 4.1.2 (Path, Mailbox, Local-part, Domain, address-literal), with RFC 6531's
    /// UTF-8 atoms and labels, which set <see cref="IsInternational"/>. Limits from RFC 5321 4.5.3.1:
    /// local part 64 octets, domain 255 octets, path 256 octets.
    /// </remarks>
    public static bool TryParse(string text, ref int position, bool allowNull, out MailPath path)
    {
        path = default;
        var start = position;
        var i = position;
        if (i >= text.Length || text[i] != '<') return false;
        i++;

        if (i < text.Length && text[i] == '>')
        {
            if (!allowNull) return false;
            position = i + 1;
            path = Null;
            return true;
        }

        // A-d-l (source route) is obsolete and ignored (RFC 5321 4.1.2, 3.6.1).
        if (i < text.Length && text[i] == '@')
        {
            var colon = text.IndexOf(':', i);
            if (colon < 0) return false;
            i = colon + 1;
        }

        var international = false;
        var localStart = i;
        if (!TryLocalPart(text, ref i, ref international)) return false;
        var localEnd = i;
        if (i >= text.Length || text[i] != '@') return false;
        i++;
        var domainStart = i;
        if (!TryDomain(text, ref i, ref international)) return false;
        var domainEnd = i;
        if (i >= text.Length || text[i] != '>') return false;
        i++;

        if (Encoding.UTF8.GetByteCount(text.AsSpan(localStart, localEnd - localStart)) > 64) return false;
        if (Encoding.UTF8.GetByteCount(text.AsSpan(domainStart, domainEnd - domainStart)) > 255) return false;
        if (Encoding.UTF8.GetByteCount(text.AsSpan(start, i - start)) > 256) return false;

        path = new MailPath(text[localStart..domainEnd], international);
        position = i;
        return true;
    }

    private static bool TryLocalPart(string text, ref int i, ref bool international)
    {
        if (i >= text.Length) return false;
        if (text[i] == '"')
        {
            i++;
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '"')
                {
                    i++;
                    return true;
                }

                if (c == '\\')
                {
                    if (i + 1 >= text.Length || text[i + 1] < 32 || text[i + 1] > 126) return false;
                    i += 2;
                    continue;
                }

                if (c > 127) international = true;
                else if (c < 32 || c == 127) return false;
                i++;
            }

            return false;
        }

        // Dot-string: Atom *("." Atom).
        var atomLength = 0;
        while (i < text.Length && text[i] != '@')
        {
            var c = text[i];
            if (c == '.')
            {
                if (atomLength == 0) return false;
                atomLength = 0;
            }
            else if (IsAtext(c)) atomLength++;
            else if (c > 127)
            {
                international = true;
                atomLength++;
            }
            else return false;
            i++;
        }

        return atomLength > 0;
    }

    private static bool TryDomain(string text, ref int i, ref bool international)
    {
        if (i >= text.Length) return false;
        if (text[i] == '[')
        {
            // address-literal: dcontent is %d33-90 / %d94-126.
            var close = text.IndexOf(']', i);
            if (close < 0 || close == i + 1) return false;
            for (var j = i + 1; j < close; j++)
            {
                if (text[j] is < (char)33 or > (char)126 or '[' or '\\') return false;
            }

            i = close + 1;
            return true;
        }

        var labelLength = 0;
        var previous = '.';
        while (i < text.Length && text[i] != '>')
        {
            var c = text[i];
            if (c == '.')
            {
                if (labelLength == 0 || previous == '-') return false;
                labelLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c > 127 || c == '-' && labelLength > 0)
            {
                if (c > 127) international = true;
                if (++labelLength > 63) return false;
            }
            else return false;
            previous = c;
            i++;
        }

        return labelLength > 0 && previous != '-';
    }

    // RFC 5322 3.2.3 atext.
    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c);
}
