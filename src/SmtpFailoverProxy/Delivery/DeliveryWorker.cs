using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Delivery;

/// <summary>
/// Runs deliveries: on start, everything already in the spool is made due (a restart loses nothing);
/// then <see cref="SpoolOptions.DeliveryConcurrency"/> loops take due messages from the queue.
/// </summary>
internal sealed class DeliveryWorker(
    MessageSpool spool,
    DeliveryQueue queue,
    MessageDeliverer deliverer,
    SpoolOptions options,
    TimeProvider timeProvider,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var path in spool.QuarantinedAtStart) logger.SpoolSlotQuarantined(path);
        var queued = spool.ListQueued();
        foreach (var id in queued) queue.Enqueue(id);
        logger.SpoolRecovered(spool.Root, queued.Count);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.DeliveryConcurrency).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var id in queue.Ready.ReadAllAsync(stoppingToken))
            {
                queue.Taken(id);
                try
                {
                    await deliverer.DeliverAsync(id, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return; // Still in the spool: the next start delivers it.
                }
                catch (Exception ex)
                {
                    // A bug or a disk error must not lose the message: it stays queued and is tried again.
                    logger.DeliveryCrashed(ex, id);
                    queue.Schedule(id, timeProvider.GetUtcNow() + options.RetryInitialDelay);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
