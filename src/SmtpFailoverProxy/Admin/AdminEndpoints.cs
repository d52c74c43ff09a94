using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Admin;

/// <summary>
/// The admin HTTP API (loopback by default): health, status (primary, circuits, quotas, spool, recent
/// transitions), and the operator's levers: switch the primary, isolate or reset a circuit.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/health", () => Results.Text("ok\n"));
        app.MapGet("/status", (MessageSpool spool, DeliveryQueue queue, RoutingPolicy policy, IReadOnlyDictionary<string, ProviderRoute> routes, CircuitEventBus events) =>
            Results.Json(new
            {
                primary = policy.Primary,
                primaryOverride = policy.Override,
                order = policy.EffectiveOrder,
                spool = new { queued = spool.Count, waitingForRetry = queue.WaitingCount },
                providers = routes.Values.Select(r => new
                {
                    name = r.Name,
                    circuit = r.Circuit.Snapshot,
                    failureRatioBreaker = r.Circuit.FailureRatioState.ToString(),
                    transactionalOnly = r.TransactionalOnly,
                    quota = r.Quota is { } q ? new { dailyLimit = q.DailyLimit, sentLast24Hours = q.MessagesSent, recipientsLast24Hours = q.RecipientsSent, reservePercent = q.CriticalReservePercent } : null,
                }),
                recentEvents = events.Recent.Reverse().Take(20),
            }));

        app.MapPut("/routing/primary/{provider}", (string provider, RoutingPolicy policy) =>
            policy.SetOverride(provider) ? Results.Json(new { primary = policy.Primary }) : Results.NotFound(new { error = $"no provider '{provider}' in Routing:Order" }));
        app.MapDelete("/routing/primary", (RoutingPolicy policy) =>
        {
            policy.SetOverride(null);
            return Results.Json(new { primary = policy.Primary });
        });
        app.MapPost("/circuits/{provider}/isolate", (string provider, IReadOnlyDictionary<string, ProviderRoute> routes) =>
            WithCircuit(routes, provider, c => c.Isolate("isolated by operator")));
        app.MapPost("/circuits/{provider}/reset", (string provider, IReadOnlyDictionary<string, ProviderRoute> routes) =>
            WithCircuit(routes, provider, c => c.Reset("reset by operator")));
    }

    private static IResult WithCircuit(IReadOnlyDictionary<string, ProviderRoute> routes, string provider, Action<ProviderCircuit> action)
    {
        if (!routes.TryGetValue(provider, out var route)) return Results.NotFound(new { error = $"no provider '{provider}'" });
        action(route.Circuit);
        return Results.Json(route.Circuit.Snapshot);
    }
}
