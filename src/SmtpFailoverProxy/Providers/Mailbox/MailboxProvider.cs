using System.Text.Json;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Providers.Mailbox;

/// <summary>
/// Delivers into a folder: <c>QUEUEID.eml</c> holds the exact bytes, <c>QUEUEID.json</c> the envelope.
/// The sandbox's stand-in for a real provider, and a way to see what the proxy would send.
/// </summary>
internal sealed class MailboxProvider : IEmailProvider
{
    private readonly string _path;

    public MailboxProvider(string name, MailboxProviderOptions options)
    {
        Name = name;
        _path = Path.GetFullPath(options.Path);
        Directory.CreateDirectory(_path);
    }

    public string Name { get; }

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        // Creating and renaming files blocks: not on the socket event thread a delivery may start on.
        await SocketScheduling.LeaveEventThread();
        try
        {
            // Each file is written under a temporary name and renamed: whoever sees an .eml or a .json finds it whole.
            var eml = Path.Combine(_path, message.QueueId + ".eml");
            var partial = Path.Combine(_path, message.QueueId + ".partial");
            await using (var source = message.OpenContent())
            await using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            File.Move(partial, eml, overwrite: true);
            var envelope = JsonSerializer.Serialize(new { message.QueueId, message.Sender, message.Recipients });
            await File.WriteAllTextAsync(partial, envelope, cancellationToken);
            File.Move(partial, Path.Combine(_path, message.QueueId + ".json"), overwrite: true);
            return DeliveryResult.ForAll(Name, OutcomeClass.Delivered, message.Recipients, RecipientStatus.Delivered,
                new UpstreamReply(250, "2.0.0", $"Saved as {eml}"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DeliveryResult.ForAll(Name, OutcomeClass.Transient, message.Recipients, RecipientStatus.Deferred,
                new UpstreamReply(451, "4.3.0", $"Mailbox folder not writable: {ex.Message}"));
        }
    }
}
