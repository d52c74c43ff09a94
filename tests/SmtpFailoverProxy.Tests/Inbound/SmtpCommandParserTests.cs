using System.Text;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Inbound;

public sealed class SmtpCommandParserTests
{
    [Theory]
    [InlineData("EHLO client.example", "Ehlo", "client.example")]
    [InlineData("ehlo client.example", "Ehlo", "client.example")]
    [InlineData("MAIL FROM:<a@b.example> SIZE=10", "Mail", "FROM:<a@b.example> SIZE=10")]
    [InlineData("DATA", "Data", "")]
    [InlineData("QUIT   ", "Quit", "")]
    [InlineData("StartTLS", "StartTls", "")]
    public void Parses_verb_and_argument(string line, string verb, string argument)
    {
        Assert.True(SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), out var command, out _));
        Assert.Equal(Enum.Parse<SmtpVerb>(verb), command.Verb);
        Assert.Equal(argument, command.Argument);
    }

    [Theory]
    [InlineData("FROB", 500)]
    [InlineData("", 500)]
    [InlineData("NOOP\0", 501)]
    [InlineData("NO\u0001OP", 501)]
    public void Refuses_unknown_or_malformed_commands(string line, int code)
    {
        Assert.False(SmtpCommandParser.TryParse(Encoding.UTF8.GetBytes(line), out _, out var error));
        Assert.Equal(code, error!.Code);
    }

    [Fact]
    public void Refuses_bytes_that_are_not_UTF8()
    {
        Assert.False(SmtpCommandParser.TryParse([.. "MAIL FROM:<"u8, 0xFF, 0xFE, .. "@x>"u8], out _, out var error));
        Assert.Equal(SmtpReply.SyntaxError, error);
    }
}
