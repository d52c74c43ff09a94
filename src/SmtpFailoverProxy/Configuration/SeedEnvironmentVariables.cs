namespace SmtpFailoverProxy.Configuration;

/// <summary>
/// The flat environment variables of the service this proxy replaced, mapped onto configuration keys so
/// that an existing deployment keeps working: EMAIL_PROVIDER, SES_REGION, GMAIL_SMTP, GMAIL_USER, GMAIL_PASS.
/// </summary>
internal static class SeedEnvironmentVariables
{
    public static Dictionary<string, string?> Read(Func<string, string?> getVariable)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (getVariable("EMAIL_PROVIDER") is { Length: > 0 } provider)
        {
            var primary = provider.Trim().ToUpperInvariant() switch
            {
                "SES" => "ses",
                "GMAIL" => "gmail",
                _ => throw new ConfigurationException("EMAIL_PROVIDER", $"'{provider}' is not SES or GMAIL"),
            };
            values["Routing:Primary"] = primary;
        }

        if (getVariable("SES_REGION") is { Length: > 0 } region) values["Providers:ses:Region"] = region;
        if (getVariable("GMAIL_SMTP") is { Length: > 0 } gmail)
        {
            // "smtp.gmail.com" or "smtp.gmail.com:587".
            var colon = gmail.LastIndexOf(':');
            if (colon > 0 && int.TryParse(gmail[(colon + 1)..], out var port))
            {
                values["Providers:gmail:Host"] = gmail[..colon];
                values["Providers:gmail:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                values["Providers:gmail:Host"] = gmail;
            }
        }

        if (getVariable("GMAIL_USER") is { Length: > 0 } user) values["Providers:gmail:Username"] = user;
        if (getVariable("GMAIL_PASS") is { Length: > 0 } pass) values["Providers:gmail:Password"] = pass;
        return values;
    }
}
