using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Inbound;

public sealed class MailFromArgumentsTests
{
    [Theory]
    [InlineData("FROM:<user@example.com>", "user@example.com")]
    [InlineData("from:<user@example.com>", "user@example.com")]
    [InlineData("FROM: <user@example.com>", "user@example.com")]
    [InlineData("FROM:<>", "")]
    [InlineData("FROM:<\"john doe\"@example.com>", "\"john doe\"@example.com")]
    [InlineData("FROM:<\"a\\\"b\"@example.com>", "\"a\\\"b\"@example.com")]
    [InlineData("FROM:<user@[192.0.2.1]>", "user@[192.0.2.1]")]
    [InlineData("FROM:<@relay.example:user@example.com>", "user@example.com")]
    [InlineData("FROM:<first.last+tag@sub.example.com>", "first.last+tag@sub.example.com")]
    public void Accepts_valid_reverse_paths(string argument, string address)
    {
        Assert.True(MailFromArguments.TryParse(argument, out var result, out var error), error?.ToString());
        Assert.Equal(address, result!.Sender.Address);
    }

    [Theory]
    [InlineData("FROM:user@example.com", "5.1.7")]
    [InlineData("FROM:<user>", "5.1.7")]
    [InlineData("FROM:<user@>", "5.1.7")]
    [InlineData("FROM:<.user@example.com>", "5.1.7")]
    [InlineData("FROM:<us..er@example.com>", "5.1.7")]
    [InlineData("FROM:<user@-example.com>", "5.1.7")]
    [InlineData("FROM:<user@example-.com>", "5.1.7")]
    [InlineData("FROM:<user@exa_mple.com>", "5.1.7")]
    [InlineData("FROM:<us er@example.com>", "5.1.7")]
    [InlineData("FROM:<\"unterminated@example.com>", "5.1.7")]
    [InlineData("TO:<user@example.com>", "5.5.2")]
    [InlineData("FROM:<user@example.com> BODY=9BIT", "5.5.2")]
    [InlineData("FROM:<user@example.com> SIZE=big", "5.5.2")]
    [InlineData("FROM:<user@example.com> AUTH=<>", "5.5.4")]
    [InlineData("FROM:<ü@example.com>", "5.6.7")]
    public void Refuses_bad_reverse_paths_and_parameters(string argument, string enhancedCode)
    {
        Assert.False(MailFromArguments.TryParse(argument, out _, out var error));
        Assert.Equal(enhancedCode, error!.EnhancedCode);
    }

    [Fact]
    public void Local_part_over_64_octets_is_refused()
    {
        Assert.False(MailFromArguments.TryParse($"FROM:<{new string('a', 65)}@example.com>", out _, out _));
        Assert.True(MailFromArguments.TryParse($"FROM:<{new string('a', 64)}@example.com>", out _, out _));
    }

    [Fact]
    public void Reads_SIZE_BODY_and_SMTPUTF8()
    {
        Assert.True(MailFromArguments.TryParse("FROM:<ü@exämple.com> SIZE=1234 BODY=8BITMIME SMTPUTF8", out var result, out _));
        Assert.Equal(1234, result!.DeclaredSize);
        Assert.True(result.EightBitMime);
        Assert.True(result.SmtpUtf8);
        Assert.True(result.Sender.IsInternational);
        Assert.Equal("exämple.com", result.Sender.Domain);
    }

    [Theory]
    [InlineData("TO:<user@example.com>", true, null)]
    [InlineData("TO:<>", false, "5.1.3")]
    [InlineData("TO:<user>", false, "5.1.3")]
    [InlineData("TO:<user@example.com> NOTIFY=NEVER", false, "5.5.4")]
    [InlineData("TO:<user@example.com>junk", false, "5.1.3")]
    [InlineData("FROM:<user@example.com>", false, "5.5.2")]
    public void Parses_recipients(string argument, bool ok, string? enhancedCode)
    {
        Assert.Equal(ok, MailFromArguments.TryParseRecipient(argument, smtpUtf8: false, out _, out var error));
        Assert.Equal(enhancedCode, error?.EnhancedCode);
    }

    [Fact]
    public void International_recipient_needs_SMTPUTF8_on_the_transaction()
    {
        Assert.False(MailFromArguments.TryParseRecipient("TO:<用户@例子.广告>", smtpUtf8: false, out _, out var error));
        Assert.Equal("5.6.7", error!.EnhancedCode);
        Assert.True(MailFromArguments.TryParseRecipient("TO:<用户@例子.广告>", smtpUtf8: true, out var path, out _));
        Assert.Equal("用户@例子.广告", path.Address);
    }
}
