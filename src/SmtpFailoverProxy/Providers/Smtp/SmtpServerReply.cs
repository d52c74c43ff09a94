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
        var enhanced = EnhancedCodeOf(Lines[0]);
        var text = string.Join(' ', Lines.Select(line => Strip(line, EnhancedCodeOf(line))).Where(t => t.Length > 0));
        return new UpstreamReply(Code, enhanced, text);
    }

    /// <summary>Splits "5.1.1 User unknown" into the enhanced code and the text.</summary>
    public static UpstreamReply Parse(int code, string text) => new SmtpServerReply(code, [text]).ToUpstreamReply();

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
