using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Routing;

/// <summary>Chooses the provider (or providers, in turn) for one delivery attempt.</summary>
internal interface IDeliveryRouter
{
    /// <summary>Sends through the provider the routing policy picks and returns what it answered.</summary>
    Task<DeliveryResult> RouteAsync(OutboundMessage message, CancellationToken cancellationToken);
}
