using BenchmarkDotNet.Attributes;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Microbenchmarks;

/// <summary>The per-command work of a session: the verb and argument from bytes, then the MAIL FROM path and parameters.</summary>
public class CommandParsingBenchmarks
{
    private static readonly byte[] MailLine = "MAIL FROM:<app@example.com> SIZE=4096 BODY=8BITMIME"u8.ToArray();
    private static readonly byte[] RcptLine = "RCPT TO:<user@example.com>"u8.ToArray();

    [Benchmark]
    public bool ParseRcptTo()
    {
        if (!SmtpCommandParser.TryParse(RcptLine, out var command, out _)) return false;
        var position = 3; // after "TO:"
        return MailPath.TryParse(command.Argument, ref position, allowNull: false, out _);
    }

    [Benchmark]
    public bool ParseMailFromWithParameters() =>
        SmtpCommandParser.TryParse(MailLine, out var command, out _) && MailFromArguments.TryParse(command.Argument, out _, out _);
}
