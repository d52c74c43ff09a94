using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Delivery;

/// <summary>
/// Makes one delivery attempt for one spooled message and records what follows: delivered recipients are
/// done, refused ones get a DSN, the rest wait for the next attempt. The message leaves the spool only
/// when no recipient is pending (at-least-once: a crash before that repeats the attempt).
/// </summary>
internal sealed class MessageDeliverer(
    MessageSpool spool,
    DeliveryQueue queue,
    IDeliveryRouter router,
    RetrySchedule retrySchedule,
    DsnBuilder dsnBuilder,
    SpoolOptions options,
    TimeProvider timeProvider,
    ILogger<MessageDeliverer> logger)
{
    public async Task DeliverAsync(string queueId, CancellationToken cancellationToken)
    {
        // This may run on a socket event thread: a delivery that finished there takes the next message at
        // once. A message just committed comes from memory; any other is read from its file, on the thread pool.
        if (!spool.HoldsInMemory(queueId)) await SocketScheduling.LeaveEventThread();
        SpooledMessage? message;
        try
        {
            message = spool.Load(queueId);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or JsonException)
        {
            logger.SpoolFileQuarantined(queueId, ex.Message, spool.Quarantine(queueId));
            return;
        }

        if (message is null) return;
        var envelope = message.Envelope;
        var outbound = message.ToOutbound();

        var started = timeProvider.GetTimestamp();
        var result = await router.RouteAsync(outbound, cancellationToken);
        var elapsedMs = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;

        var delivered = result.Recipients.Where(r => r.Status == RecipientStatus.Delivered).ToList();
        var failed = result.Recipients.Where(r => r.Status == RecipientStatus.Failed).ToList();
        var deferred = result.Recipients.Where(r => r.Status == RecipientStatus.Deferred).ToList();
        if (delivered.Count > 0)
        {
            logger.Delivered(queueId, delivered.Count, result.Provider, elapsedMs, delivered[0].Reply.ToString());
        }

        // A small message delivered to all leaves only its slot marked free, a write to the page cache, done
        // wherever the router's result came in (a socket event thread, when the router finished there). A
        // bounce or a deferral writes a DSN or a state file with fsync, and a large message's file may be
        // deleted: on the thread pool.
        if (failed.Count > 0 || deferred.Count > 0 || message.Content is null) await SocketScheduling.LeaveEventThread();
        var now = timeProvider.GetUtcNow();
        if (deferred.Count > 0 && now - envelope.ReceivedAt >= options.MaxAge)
        {
            // RFC 3463 X.4.7: delivery time expired.
            failed.AddRange(deferred.Select(r => r with { Reply = new UpstreamReply(r.Reply.Code, "4.4.7", $"Message expired after {options.MaxAge}; last reply: {r.Reply}") }));
            deferred.Clear();
        }

        if (failed.Count > 0)
        {
            await BounceAsync(message, failed, result.Provider);
            // The DSN's commit may have resumed us on the spool's committing thread, which has the next group to sync.
            await SocketScheduling.LeaveEventThread();
        }

        if (deferred.Count == 0)
        {
            spool.Remove(message);
            return;
        }

        var attempts = message.State.Attempts + 1;
        var next = now + retrySchedule.DelayAfter(attempts);
        var reply = deferred[0].Reply.ToString();
        spool.SaveState(message, new DeliveryState(deferred.Select(r => r.Recipient).ToArray(), attempts, next, reply));
        logger.Deferred(queueId, deferred.Count, result.Provider, result.Class.ToString(), attempts, next, reply);
        queue.Schedule(queueId, next);
    }

    private async Task BounceAsync(SpooledMessage message, IReadOnlyList<RecipientResult> failures, string provider)
    {
        var envelope = message.Envelope;
        foreach (var failure in failures) logger.Bounced(envelope.QueueId, failure.Recipient, provider, failure.Reply.ToString());
        // RFC 5321 4.5.5 and RFC 3464: never a DSN for a message with the null sender (loops).
        if (envelope.HasNullSender)
        {
            logger.DsnSuppressed(envelope.QueueId);
            return;
        }

        MimeMessage dsn;
        using (var content = message.OpenContent()) dsn = dsnBuilder.Build(envelope, failures, content);

        var dsnEnvelope = new MessageEnvelope(QueueId.New(timeProvider), string.Empty, [envelope.Sender], timeProvider.GetUtcNow(),
            "127.0.0.1", "localhost", EightBitMime: false, SmtpUtf8: envelope.SmtpUtf8) { IsDsn = true };
        // The DSN is durable before the original's state changes: a crash in between repeats it, never loses it.
        using (var entry = spool.Begin(dsnEnvelope))
        {
            using var bytes = new MemoryStream();
            dsn.WriteTo(FormatOptions.Default, bytes);
            entry.Write(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
            await entry.CommitAsync();
        }

        logger.DsnQueued(dsnEnvelope.QueueId, envelope.Sender, envelope.QueueId);
        queue.Enqueue(dsnEnvelope.QueueId);
    }
}
