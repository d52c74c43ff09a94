using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Inbound;

public sealed class SmtpStateTableTests
{
    [Theory]
    [InlineData("Connected", "Ehlo", "Greeted")]
    [InlineData("Greeted", "Mail", "HasSender")]
    [InlineData("HasSender", "Rcpt", "HasRecipients")]
    [InlineData("HasRecipients", "Rcpt", "HasRecipients")]
    [InlineData("HasRecipients", "Data", "Greeted")]
    [InlineData("HasRecipients", "Helo", "Greeted")]
    public void Allowed_command_leads_to_the_next_state(string state, string verb, string expected)
    {
        Assert.True(SmtpStateTable.TryGetTransition(Enum.Parse<SmtpSessionState>(state), Enum.Parse<SmtpVerb>(verb), out var next, out _));
        Assert.Equal(Enum.Parse<SmtpSessionState>(expected), next);
    }

    [Theory]
    [InlineData("Connected", "Mail", "Send EHLO or HELO first")]
    [InlineData("Greeted", "Rcpt", "Need MAIL command first")]
    [InlineData("Greeted", "Data", "Need MAIL command first")]
    [InlineData("HasSender", "Data", "Need RCPT command first")]
    [InlineData("HasSender", "Mail", "Sender already specified")]
    [InlineData("HasRecipients", "Mail", "Sender already specified")]
    public void Out_of_sequence_command_gets_503_with_the_reason(string state, string verb, string text)
    {
        Assert.False(SmtpStateTable.TryGetTransition(Enum.Parse<SmtpSessionState>(state), Enum.Parse<SmtpVerb>(verb), out _, out var rejection));
        Assert.Equal(503, rejection!.Code);
        Assert.Equal("5.5.1", rejection.EnhancedCode);
        Assert.Equal(text, rejection.Text);
    }

    [Theory]
    [InlineData("Noop")]
    [InlineData("Rset")]
    [InlineData("Quit")]
    [InlineData("Help")]
    [InlineData("Vrfy")]
    public void Session_commands_are_allowed_in_every_state_and_keep_it(string verb)
    {
        foreach (var state in Enum.GetValues<SmtpSessionState>())
        {
            Assert.True(SmtpStateTable.TryGetTransition(state, Enum.Parse<SmtpVerb>(verb), out var next, out _));
            Assert.Null(next);
        }
    }
}
