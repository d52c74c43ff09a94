using System.Text.Json;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Mailbox;

namespace SmtpFailoverProxy.Tests.Providers.Mailbox;

public sealed class MailboxProviderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Message_lands_as_exact_eml_and_json_envelope_with_no_partial_file_left()
    {
        var provider = new MailboxProvider("mailbox", new MailboxProviderOptions { Path = _folder });
        var bytes = "Subject: x\r\n\r\nbody\r\n"u8.ToArray();
        var message = new OutboundMessage("0123456789ABCDEF0123456789ABCDEF", "app@example.com", ["a@example.com", "b@example.com"],
            () => new MemoryStream(bytes), bytes.Length, false, false);

        var result = await provider.SendAsync(message, CancellationToken.None);

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(_folder, message.QueueId + ".eml")));
        var envelope = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, message.QueueId + ".json"))).RootElement;
        Assert.Equal(["a@example.com", "b@example.com"], envelope.GetProperty("Recipients").EnumerateArray().Select(r => r.GetString()));
        // Readers look for .eml and .json: those appear only whole, by rename.
        Assert.Equal(2, Directory.EnumerateFiles(_folder).Count());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
