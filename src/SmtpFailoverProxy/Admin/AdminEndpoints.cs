using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Admin;

/// <summary>The admin HTTP API: health and status for operators and monitors.</summary>
internal static class AdminEndpoints
{
    public static void Map(WebApplication app, IReadOnlyList<IEmailProvider> providers)
    {
        app.MapGet("/health", () => Results.Text("ok\n"));
        app.MapGet("/status", (MessageSpool spool, DeliveryQueue queue) => Results.Json(new
        {
            spool = new { queued = spool.Count, waitingForRetry = queue.WaitingCount },
            providers = providers.Select(p => p.Name),
        }));
    }
}
