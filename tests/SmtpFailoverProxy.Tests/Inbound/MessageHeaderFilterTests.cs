using System.Buffers;
using System.Text;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Inbound;

public sealed class MessageHeaderFilterTests
{
    private static string[] Kept(params string[] lines)
    {
        var filter = new MessageHeaderFilter();
        return lines.Where(l => filter.ShouldWrite(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(l)))).ToArray();
    }

    [Fact]
    public void Removes_Bcc_with_its_folded_lines_and_keeps_the_rest()
    {
        Assert.Equal(["To: a@x", "Subject: s", "", "body"],
            Kept("To: a@x", "Bcc: b@x,", "  c@x", "Subject: s", "", "body"));
    }

    [Fact]
    public void Matches_the_field_name_case_insensitively_and_with_space_before_the_colon()
    {
        Assert.Equal(["To: a@x"], Kept("BCC: b@x", "bcc : c@x", "To: a@x"));
    }

    [Fact]
    public void Leaves_the_body_alone()
    {
        Assert.Equal(["To: a@x", "", "Bcc: in body", "\tfolded-looking"], Kept("To: a@x", "", "Bcc: in body", "\tfolded-looking"));
    }

    [Fact]
    public void Does_not_take_Bcc_like_names_for_Bcc()
    {
        Assert.Equal(["Bccx: 1", "X-Bcc: 2"], Kept("Bccx: 1", "X-Bcc: 2"));
    }
}
