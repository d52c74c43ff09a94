namespace SmtpFailoverProxy.Providers;

/// <summary>What an upstream answered, in its words: an SMTP reply, or an API status and error.</summary>
/// <param name="Code">SMTP reply code, or HTTP status for an API (0 when nothing was answered).</param>
/// <param name="EnhancedCode">RFC 3463 code when the upstream gave one, or the nearest one we assign.</param>
/// <param name="Text">The upstream's text (an API's error type and message).</param>
public sealed record UpstreamReply(int Code, string? EnhancedCode, string Text)
{
    /// <summary>As an SMTP reply line reads: code, enhanced code when there is one, text.</summary>
    public override string ToString() => EnhancedCode is null ? $"{Code} {Text}" : $"{Code} {EnhancedCode} {Text}";

    /// <summary>No answer at all: connection refused, timeout, TLS failure.</summary>
    public static UpstreamReply NoAnswer(string why) => new(0, "4.4.1", why);
}
