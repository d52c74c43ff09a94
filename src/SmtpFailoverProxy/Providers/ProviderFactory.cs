using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers.Mailbox;
using SmtpFailoverProxy.Providers.Smtp;

namespace SmtpFailoverProxy.Providers;

/// <summary>Creates the configured providers, in routing order, from their sections.</summary>
internal static class ProviderFactory
{
    public static IReadOnlyList<IEmailProvider> Create(ProxySettings settings) =>
        settings.Routing.EffectiveOrder.Select(name => Create(name, settings)).ToArray();

    private static IEmailProvider Create(string name, ProxySettings settings)
    {
        var (type, section) = settings.Providers[name];
        return type switch
        {
            "smtp" => new SmtpRelayProvider(name, ProxySettings.BindSection<SmtpProviderOptions>(section)),
            "mailbox" => new MailboxProvider(name, ProxySettings.BindSection<MailboxProviderOptions>(section)),
            _ => throw new ConfigurationException($"{section.Path}:Type", $"'{type}' is not a provider type"),
        };
    }
}
