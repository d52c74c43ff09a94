using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Routing;

/// <summary>
/// Sends each message through the first provider, in the live order, whose circuit, quota and mail-class
/// rules let it through. A provider-level failure (suspended, out of quota, misconfigured, transient)
/// moves the same message to the next provider in the same attempt; a throttle gets one short backoff on
/// the same provider first; a message-level rejection never fails over (it would only burn the next
/// provider's quota) and bounces. When no provider can take the message it stays in the spool.
/// </summary>
internal sealed class FailoverRouter(
    IReadOnlyDictionary<string, ProviderRoute> routes,
    RoutingPolicy policy,
    CircuitOptions options,
    TimeProvider timeProvider,
    ILogger<FailoverRouter> logger) : IDeliveryRouter
{
    public async Task<DeliveryResult> RouteAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var skipped = new List<string>();
        DeliveryResult? last = null;
        var first = true;
        foreach (var name in policy.EffectiveOrder)
        {
            var route = routes[name];
            // This may start on a socket event thread (see MessageDeliverer), where nothing may write a state
            // file (fsync): the checks below do when a quota runs out or an open period ends. Only the first
            // provider with a closed circuit and no quota goes on here.
            if (!first || route.Quota is not null || route.Circuit.Snapshot.State != CircuitState.Closed) await SocketScheduling.LeaveEventThread();
            first = false;
            if (route.TransactionalOnly && message.MailClass == MailClass.Bulk)
            {
                skipped.Add($"{name}: takes no bulk mail");
                continue;
            }

            if (route.Quota is { } quota && !quota.HasRoomFor(message.MailClass))
            {
                var reserved = message.MailClass != MailClass.Critical && quota.HasRoomFor(MailClass.Critical);
                if (!reserved) route.Circuit.Open(OutcomeClass.QuotaExhausted, quota.NextRoomAt - timeProvider.GetUtcNow(), $"daily limit of {quota.DailyLimit} reached");
                skipped.Add(reserved ? $"{name}: rest of the daily limit is reserved for critical mail" : $"{name}: daily limit reached");
                continue;
            }

            if (!route.Circuit.AllowsTraffic())
            {
                var snapshot = route.Circuit.Snapshot;
                skipped.Add($"{name}: circuit {snapshot.State} ({snapshot.Reason}) until {snapshot.OpenUntil:u}");
                continue;
            }

            var result = await SendAsync(route, message, cancellationToken);
            if (result is null)
            {
                skipped.Add($"{name}: failure-ratio breaker open");
                continue;
            }

            if (result.Class == OutcomeClass.Throttled)
            {
                // One short backoff on the same provider before moving on: a single 429 is no reason to fail over.
                await Task.Delay(options.ThrottleBackoff, timeProvider, cancellationToken);
                result = await SendAsync(route, message, cancellationToken) ?? result;
            }

            last = result;
            if (result.Class is OutcomeClass.Delivered or OutcomeClass.MessageRejected) return result;
            logger.FailingOver(message.QueueId, name, result.Class.ToString(), result.SummaryReply.ToString());
        }

        if (last is not null) return last;
        var reply = new UpstreamReply(0, "4.4.5", "No provider can take this message now: " + string.Join("; ", skipped));
        return DeliveryResult.ForAll("none", OutcomeClass.Transient, message.Recipients, RecipientStatus.Deferred, reply);
    }

    private static async Task<DeliveryResult?> SendAsync(ProviderRoute route, OutboundMessage message, CancellationToken cancellationToken)
    {
        var result = await route.Circuit.ExecuteAsync(ct => route.Provider.SendAsync(message, ct), cancellationToken);
        // The reply may have come in on a socket event thread, which nothing may hold for long: a circuit
        // that changes state and a quota that counts save state files with fsync, so then the thread pool.
        // A delivery through a closed circuit without a quota (the steady state of a primary) writes
        // nothing here and goes on where it is (a hop after every reply cost a third of the proxy's CPU a message
        // with the default 8 deliveries and 4 connections).
        if (result is null || route.Quota is not null || !route.Circuit.ReportChangesNothing(result)) await SocketScheduling.LeaveEventThread();
        if (result is null) return null;
        route.Circuit.Report(result);
        var delivered = result.Recipients.Count(r => r.Status == RecipientStatus.Delivered);
        if (delivered > 0) route.Quota?.Count(delivered);
        return result;
    }
}
