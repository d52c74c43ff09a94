using Microsoft.Extensions.Configuration;

namespace SmtpFailoverProxy.Configuration;

/// <summary>
/// All options of the proxy, read from configuration and validated once at startup. A bad value throws
/// <see cref="ConfigurationException"/> naming its key; startup stops there.
/// </summary>
internal sealed class ProxySettings
{
    private static readonly string[] KnownProviderTypes = ["ses", "smtp", "mailbox"];

    public required SmtpOptions Smtp { get; init; }
    public required SpoolOptions Spool { get; init; }
    public required StateOptions State { get; init; }
    public required AdminOptions Admin { get; init; }
    public required RoutingOptions Routing { get; init; }
    public required CircuitOptions Circuit { get; init; }
    public required MailClassOptions MailClasses { get; init; }

    /// <summary>Each provider's section, by name, with its type.</summary>
    public required IReadOnlyDictionary<string, (string Type, IConfigurationSection Section)> Providers { get; init; }

    public static ProxySettings Load(IConfiguration configuration)
    {
        var providers = new Dictionary<string, (string, IConfigurationSection)>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.GetSection("Providers").GetChildren())
        {
            var type = section["Type"] ?? DefaultType(section.Key)
                ?? throw new ConfigurationException($"{section.Path}:Type", $"is required (one of: {string.Join(", ", KnownProviderTypes)})");
            ConfigurationException.ThrowIf(!KnownProviderTypes.Contains(type, StringComparer.OrdinalIgnoreCase), $"{section.Path}:Type",
                $"'{type}' is not one of: {string.Join(", ", KnownProviderTypes)}");
            providers[section.Key] = (type.ToLowerInvariant(), section);
        }

        var settings = new ProxySettings
        {
            Smtp = Bind<SmtpOptions>(configuration, "Smtp"),
            Spool = Bind<SpoolOptions>(configuration, "Spool"),
            State = Bind<StateOptions>(configuration, "State"),
            Admin = Bind<AdminOptions>(configuration, "Admin"),
            Routing = Bind<RoutingOptions>(configuration, "Routing"),
            Circuit = Bind<CircuitOptions>(configuration, "Circuit"),
            MailClasses = Bind<MailClassOptions>(configuration, "MailClasses"),
            Providers = providers,
        };

        settings.Smtp.Validate();
        settings.Spool.Validate();
        settings.State.Validate();
        settings.Admin.Validate();
        settings.Routing.Validate(providers.Keys);
        settings.Circuit.Validate();
        settings.MailClasses.Validate();
        foreach (var name in settings.Routing.Order) _ = settings.ProviderOptions(name);
        return settings;
    }

    /// <summary>The validated options of provider <paramref name="name"/>, of its type's class.</summary>
    public ProviderOptionsBase ProviderOptions(string name)
    {
        var (type, section) = Providers[name];
        ProviderOptionsBase options = type switch
        {
            "smtp" => BindSection<SmtpProviderOptions>(section),
            "ses" => BindSection<SesProviderOptions>(section),
            _ => BindSection<MailboxProviderOptions>(section),
        };
        options.Validate(section.Path);
        return options;
    }

    /// <summary>Binds a section; a value of the wrong type or an unknown key stops startup with its path.</summary>
    public static T BindSection<T>(IConfigurationSection section) where T : new()
    {
        try
        {
            return section.Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            throw BindingError(section.Path, ex);
        }
    }

    private static ConfigurationException BindingError(string key, InvalidOperationException ex)
    {
        // The binder's words for a key no options class has: "...properties were not found on the instance of X: 'Foo'".
        const string unknown = "were not found on the instance of ";
        var at = ex.Message.IndexOf(unknown, StringComparison.Ordinal);
        if (at < 0)
        {
            // "Failed to convert configuration value '...' at 'Smtp:MaxRecipients' to type 'System.Int32'."
            var path = System.Text.RegularExpressions.Regex.Match(ex.Message, "at '([^']+)'");
            return new ConfigurationException(path.Success ? path.Groups[1].Value : key, ex.Message);
        }

        var names = ex.Message[(ex.Message.IndexOf(':', at) + 1)..].Trim();
        return new ConfigurationException(key, $"unknown key(s) {names}");
    }

    private static T Bind<T>(IConfiguration configuration, string key) where T : new()
    {
        var section = configuration.GetSection(key);
        var options = new T();
        // The binder appends to a list that has default items; configuration that names a list replaces it.
        foreach (var property in typeof(T).GetProperties().Where(p => p.PropertyType == typeof(List<string>)))
        {
            if (section.GetSection(property.Name).Exists()) ((List<string>)property.GetValue(options)!).Clear();
        }

        try
        {
            if (section.Exists()) section.Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw BindingError(key, ex);
        }

        return options;
    }

    private static string? DefaultType(string providerName) => providerName.ToLowerInvariant() switch
    {
        "gmail" => "smtp",
        "ses" => "ses",
        _ => null,
    };
}
