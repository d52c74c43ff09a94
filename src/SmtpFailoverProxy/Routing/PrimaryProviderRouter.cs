using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Routing;

/// <summary>Sends everything through the first provider of the effective order (the primary).</summary>
internal sealed class PrimaryProviderRouter(IReadOnlyList<IEmailProvider> providers) : IDeliveryRouter
{
    public Task<DeliveryResult> RouteAsync(OutboundMessage message, CancellationToken cancellationToken) =>
        providers[0].SendAsync(message, cancellationToken);
}
