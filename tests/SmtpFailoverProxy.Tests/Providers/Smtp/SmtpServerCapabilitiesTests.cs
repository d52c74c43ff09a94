using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Tests.Providers.Smtp;

public sealed class SmtpServerCapabilitiesTests
{
    [Fact]
    public void Reads_Gmails_EHLO_reply()
    {
        // smtp.gmail.com:587 after STARTTLS.
        var ehlo = new SmtpServerReply(250, ["smtp.gmail.com at your service, [192.0.2.1]", "SIZE 35882577", "8BITMIME",
            "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH", "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"]);

        var capabilities = SmtpServerCapabilities.Parse(ehlo);

        Assert.True(capabilities.Pipelining);
        Assert.True(capabilities.EightBitMime);
        Assert.True(capabilities.SmtpUtf8);
        Assert.True(capabilities.Size);
        Assert.Equal(35882577, capabilities.MaxSize);
        Assert.False(capabilities.StartTls);
        Assert.Contains("XOAUTH2", capabilities.AuthMechanisms);
        Assert.Contains("PLAIN", capabilities.AuthMechanisms);
    }

    [Fact]
    public void The_greeting_line_is_not_a_keyword_and_old_AUTH_equals_is_read()
    {
        var ehlo = new SmtpServerReply(250, ["PIPELINING is my name", "STARTTLS", "AUTH=LOGIN", "size"]);

        var capabilities = SmtpServerCapabilities.Parse(ehlo);

        Assert.False(capabilities.Pipelining);
        Assert.True(capabilities.StartTls);
        Assert.Equal(["LOGIN"], capabilities.AuthMechanisms);
        Assert.True(capabilities.Size);
        Assert.Equal(0, capabilities.MaxSize);
    }
}
