using System.Text.Json;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Mailbox;

namespace SmtpFailoverProxy.Tests.Providers.Mailbox;

public sealed class MailboxProviderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));
    private static readonly byte[] Content = "Subject: x\r\n\r\nbody\r\n"u8.ToArray();

    [Fact]
    public async Task Message_lands_as_exact_eml_and_json_envelope_with_no_partial_file_left()
    {
        var provider = new MailboxProvider("mailbox", new MailboxProviderOptions { Path = _folder });
        var message = MessageTo("a@example.com", "b@example.com");

        var result = await provider.SendAsync(message, CancellationToken.None);

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.Equal(Content, File.ReadAllBytes(Path.Combine(_folder, message.QueueId + ".eml")));
        var envelope = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, message.QueueId + ".json"))).RootElement;
        Assert.Equal(["a@example.com", "b@example.com"], envelope.GetProperty("Recipients").EnumerateArray().Select(r => r.GetString()));
        // Readers look for .eml and .json: those appear only whole, by rename.
        Assert.Equal(2, Directory.EnumerateFiles(_folder).Count());
    }

    [Fact]
    public async Task Each_file_is_synced_whole_before_its_rename_and_the_folder_after_both()
    {
        var events = new List<string>();
        var message = MessageTo("a@example.com");
        var eml = Path.Combine(_folder, message.QueueId + ".eml");
        var json = Path.Combine(_folder, message.QueueId + ".json");
        var provider = new MailboxProvider("mailbox", new MailboxProviderOptions { Path = _folder },
            flushFile: file => events.Add($"file {RandomAccess.GetLength(file)} bytes, eml {File.Exists(eml)}, json {File.Exists(json)}"),
            flushFolder: folder => events.Add($"folder {folder == _folder}, eml {File.Exists(eml)}, json {File.Exists(json)}"));

        var result = await provider.SendAsync(message, CancellationToken.None);

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        var envelopeLength = new FileInfo(json).Length;
        Assert.Equal(
            [$"file {Content.Length} bytes, eml False, json False", $"file {envelopeLength} bytes, eml True, json False", "folder True, eml True, json True"],
            events);
    }

    [Fact]
    public async Task A_failed_sync_defers_the_message_and_leaves_no_file_behind()
    {
        var message = MessageTo("a@example.com");
        var provider = new MailboxProvider("mailbox", new MailboxProviderOptions { Path = _folder },
            flushFile: _ => throw new IOException("fdatasync failed: errno 5"));

        var result = await provider.SendAsync(message, CancellationToken.None);

        Assert.Equal(OutcomeClass.Transient, result.Class);
        Assert.Equal(451, result.SummaryReply.Code);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_delivery_started_on_an_event_thread_writes_its_files_from_the_thread_pool()
    {
        var provider = new MailboxProvider("mailbox", new MailboxProviderOptions { Path = _folder });
        var openedOnThreadPool = false;
        var message = new OutboundMessage("0123456789ABCDEF0123456789ABCDEF", "app@example.com", ["a@example.com"], () =>
        {
            openedOnThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            return new MemoryStream("Subject: x\r\n\r\nbody\r\n"u8.ToArray());
        }, 20, false, false);

        var result = await OffPoolThread.Start(() => provider.SendAsync(message, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(OutcomeClass.Delivered, result.Class);
        Assert.True(openedOnThreadPool);
    }

    private static OutboundMessage MessageTo(params string[] recipients) =>
        new("0123456789ABCDEF0123456789ABCDEF", "app@example.com", recipients, () => new MemoryStream(Content, writable: false), Content.Length, false, false);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
