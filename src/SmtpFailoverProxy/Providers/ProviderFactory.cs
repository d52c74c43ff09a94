using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers.Mailbox;
using SmtpFailoverProxy.Providers.Ses;
using SmtpFailoverProxy.Providers.Smtp;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.State;

namespace SmtpFailoverProxy.Providers;

/// <summary>Creates the providers of <c>Routing:Order</c>, each with its circuit and quota.</summary>
internal static class ProviderFactory
{
    public static IReadOnlyDictionary<string, ProviderRoute> CreateRoutes(ProxySettings settings, IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var store = services.GetRequiredService<IStateStore>();
        var events = services.GetRequiredService<CircuitEventBus>();
        var routes = new Dictionary<string, ProviderRoute>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in settings.Routing.Order)
        {
            var options = settings.ProviderOptions(name);
            var provider = Create(name, options, settings, services);
            var circuit = new ProviderCircuit(name, settings.Circuit, time, events, store);
            var quota = options.EffectiveDailyLimit(name) is { } limit ? new RollingQuota(name, limit, options.CriticalReservePercent, time, store) : null;
            routes[name] = new ProviderRoute(provider, circuit, quota, options.EffectiveTransactionalOnly(name));
        }

        return routes;
    }

    private static IEmailProvider Create(string name, ProviderOptionsBase options, ProxySettings settings, IServiceProvider services) => options switch
    {
        SmtpProviderOptions smtp => new SmtpRelayProvider(name, smtp, settings.Smtp.Hostname, services.GetRequiredService<TimeProvider>()),
        SesProviderOptions ses => CreateSes(name, ses, services),
        MailboxProviderOptions mailbox => new MailboxProvider(name, mailbox),
        _ => throw new ConfigurationException($"Providers:{name}:Type", "is not a provider type"),
    };

    private static SesProvider CreateSes(string name, SesProviderOptions options, IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("ses");
        var client = new SesV2Client(http, options, new SesCredentials(options), time);
        return new SesProvider(name, client, options, time, services.GetRequiredService<ILogger<SesProvider>>());
    }
}
