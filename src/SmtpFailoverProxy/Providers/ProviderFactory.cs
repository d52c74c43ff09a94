using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers.Mailbox;
using SmtpFailoverProxy.Providers.Ses;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Providers;

/// <summary>Creates the configured providers, in routing order, from their sections.</summary>
internal static class ProviderFactory
{
    public static IReadOnlyList<IEmailProvider> Create(ProxySettings settings, IServiceProvider services) =>
        settings.Routing.EffectiveOrder.Select(name => Create(name, settings, services)).ToArray();

    private static IEmailProvider Create(string name, ProxySettings settings, IServiceProvider services)
    {
        var (type, section) = settings.Providers[name];
        return type switch
        {
            "smtp" => new SmtpRelayProvider(name, ProxySettings.BindSection<SmtpProviderOptions>(section)),
            "mailbox" => new MailboxProvider(name, ProxySettings.BindSection<MailboxProviderOptions>(section)),
            "ses" => CreateSes(name, ProxySettings.BindSection<SesProviderOptions>(section), services),
            _ => throw new ConfigurationException($"{section.Path}:Type", $"'{type}' is not a provider type"),
        };
    }

    private static SesProvider CreateSes(string name, SesProviderOptions options, IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("ses");
        var client = new SesV2Client(http, options, new SesCredentials(options), time);
        return new SesProvider(name, client, options, time, services.GetRequiredService<ILogger<SesProvider>>());
    }
}
