using System.Text.RegularExpressions;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>One reply of an upstream SMTP server: its code and the text of each of its lines.</summary>
/// <param name="Code">The three-digit reply code.</param>
/// <param name="Lines">The text after "250-" or "250 " on each line, in order (at least one, maybe empty).</param>
internal sealed partial record SmtpServerReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>2xx: the command did what was asked.</summary>
    public bool IsPositive => Code is >= 200 and < 300;

    /// <summary>As <see cref="UpstreamReply"/>: the first line's RFC 3463 code, and the lines without it, joined by spaces.</summary>
    public UpstreamReply ToUpstreamReply()
    {
        string? enhanced = null;
        var texts = new List<string>(Lines.Count);
        for (var i = 0; i < Lines.Count; i++)
        {
            var lineCode = EnhancedCodeOf(Lines[i]);
            if (i == 0) enhanced = lineCode;
            var text = Strip(Lines[i], lineCode);
            if (text.Length > 0) texts.Add(text);
        }

        return new UpstreamReply(Code, enhanced, string.Join(' ', texts));
    }

    private static string? EnhancedCodeOf(string line)
    {
        var match = EnhancedCodePattern().Match(line);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string Strip(string line, string? enhanced) =>
        (enhanced is null ? line : line.TrimStart()[enhanced.Length..]).Trim();

    /// <summary>RFC 3463 2.: class.subject.detail, class 2, 4 or 5, followed by a space or the end of the line.</summary>
    [GeneratedRegex(@"^\s*([245]\.\d{1,3}\.\d{1,3})(?=\s|$)")]
    private static partial Regex EnhancedCodePattern();

    public override string ToString() => $"{Code} {string.Join(' ', Lines)}";
}
