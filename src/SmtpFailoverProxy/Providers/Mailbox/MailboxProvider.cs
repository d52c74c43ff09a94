using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Providers.Mailbox;

/// <summary>
/// Delivers into a folder: <c>QUEUEID.eml</c> holds the exact bytes, <c>QUEUEID.json</c> the envelope.
/// The sandbox's stand-in for a real provider, and a way to see what the proxy would send.
/// </summary>
/// <remarks>
/// A delivery here ends the spool's copy, so both files are on disk before it is reported: each is
/// synced before its rename, and the folder after both, so that a power loss leaves the message in the
/// spool or whole in the folder, never in neither.
/// </remarks>
internal sealed class MailboxProvider : IEmailProvider
{
    private readonly string _path;
    private readonly Action<SafeFileHandle> _flushFile;
    private readonly Action<string> _flushFolder;

    /// <param name="name">The provider's name in routing, logs and replies.</param>
    /// <param name="options">Where the folder is.</param>
    /// <param name="flushFile">fdatasync of a file written, or a stand-in for tests that watch the syncs.</param>
    /// <param name="flushFolder">fsync of the folder after the renames, or a stand-in for those tests.</param>
    public MailboxProvider(string name, MailboxProviderOptions options, Action<SafeFileHandle>? flushFile = null, Action<string>? flushFolder = null)
    {
        Name = name;
        _path = Path.GetFullPath(options.Path);
        _flushFile = flushFile ?? DataSync.Flush;
        _flushFolder = flushFolder ?? DirectorySync.Flush;
        Directory.CreateDirectory(_path);
    }

    public string Name { get; }

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        // Creating, syncing and renaming files blocks: not on the socket event thread a delivery may start on.
        await SocketScheduling.LeaveEventThread();
        // Each file is written under a temporary name and renamed: whoever sees an .eml or a .json finds it whole.
        var eml = Path.Combine(_path, message.QueueId + ".eml");
        var partial = Path.Combine(_path, message.QueueId + ".partial");
        try
        {
            await using (var source = message.OpenContent())
            {
                await WriteWholeAsync(partial, eml, target => source.CopyToAsync(target, cancellationToken), cancellationToken);
            }

            var envelope = JsonSerializer.SerializeToUtf8Bytes(new { message.QueueId, message.Sender, message.Recipients });
            await WriteWholeAsync(partial, Path.Combine(_path, message.QueueId + ".json"),
                target => target.WriteAsync(envelope, cancellationToken).AsTask(), cancellationToken);
            _flushFolder(_path);
            return DeliveryResult.ForAll(Name, OutcomeClass.Delivered, message.Recipients, RecipientStatus.Delivered,
                new UpstreamReply(250, "2.0.0", $"Saved as {eml}"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The retry writes it again, perhaps to another provider: nothing half-written stays behind.
            TryDelete(partial);
            return DeliveryResult.ForAll(Name, OutcomeClass.Transient, message.Recipients, RecipientStatus.Deferred,
                new UpstreamReply(451, "4.3.0", $"Mailbox folder not writable: {ex.Message}"));
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The folder refuses even that: the next attempt at this message writes the file over.
        }
    }

    /// <summary>Writes <paramref name="partial"/>, syncs it, and renames it to <paramref name="destination"/>.</summary>
    private async Task WriteWholeAsync(string partial, string destination, Func<FileStream, Task> write, CancellationToken cancellationToken)
    {
        await using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await write(target);
            await target.FlushAsync(cancellationToken);
            _flushFile(target.SafeFileHandle);
        }

        FileRename.Move(partial, destination);
    }
}
