using Microsoft.Extensions.Configuration;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Tests.Configuration;

public sealed class ProxySettingsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Routing:Order:0"] = "mailbox",
        ["Providers:mailbox:Type"] = "mailbox",
    };

    private static ProxySettings Load(params (string Key, string? Value)[] overrides)
    {
        var values = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in overrides) values[key] = value;
        return ProxySettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var settings = Load();
        Assert.Equal("127.0.0.1:2525", settings.Smtp.Listen);
        Assert.Equal(50, settings.Smtp.MaxRecipients);
        Assert.Equal(26214400, settings.Smtp.MaxMessageSize);
        Assert.Equal("./spool", settings.Spool.Path);
        Assert.Equal(TimeSpan.FromDays(5), settings.Spool.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Spool.RetryInitialDelay);
        Assert.Equal(TimeSpan.FromHours(1), settings.Spool.RetryMaxDelay);
        Assert.Equal(64L * 1024 * 1024, settings.Spool.RecycleBytes);
        Assert.Equal(26214400L * 3 / 2, settings.Spool.EffectiveMinFreeBytes(settings.Smtp.MaxMessageSize));
        Assert.Equal("127.0.0.1:8025", settings.Admin.Listen);
        Assert.Equal(["ses", "gmail"], new RoutingOptions().Order);
    }

    [Fact]
    public void A_configured_list_replaces_the_default_instead_of_appending()
    {
        Assert.Equal(["mailbox"], Load().Routing.Order);
    }

    [Theory]
    [InlineData("Smtp:MaxRecipients", "abc", "Smtp:MaxRecipients")]
    [InlineData("Smtp:MaxRecipients", "5000", "Smtp:MaxRecipients")]
    [InlineData("Smtp:MaxMessageSize", "10", "Smtp:MaxMessageSize")]
    [InlineData("Smtp:Listen", "2525", "Smtp:Listen")]
    [InlineData("Smtp:Hostname", "two words", "Smtp:Hostname")]
    [InlineData("Smtp:AllowedSenderDomains:0", "user@example.com", "Smtp:AllowedSenderDomains:0")]
    [InlineData("Smtp:Typo", "1", "Smtp")]
    [InlineData("Spool:RetryMaxDelay", "00:00:01", "Spool:RetryMaxDelay")]
    [InlineData("Spool:DeliveryConcurrency", "0", "Spool:DeliveryConcurrency")]
    [InlineData("Spool:RecycleBytes", "-1", "Spool:RecycleBytes")]
    [InlineData("Spool:MinFreeBytes", "-1", "Spool:MinFreeBytes")]
    [InlineData("Spool:SyncMode", "Sometimes", "Spool:SyncMode")]
    [InlineData("Admin:Listen", "nowhere", "Admin:Listen")]
    [InlineData("Routing:Order:0", "ses", "Routing:Order:0")]
    [InlineData("Routing:Primary", "gmail", "Routing:Primary")]
    [InlineData("Providers:mailbox:Type", "carrier-pigeon", "Providers:mailbox:Type")]
    [InlineData("Providers:mailbox:Colour", "red", "Providers:mailbox")]
    public void Bad_value_names_its_key(string key, string value, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load((key, value)));
        Assert.Equal(named, error.Key);
    }

    [Fact]
    public void Smtp_provider_needs_a_host_and_a_valid_port()
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(("Routing:Order:0", "gmail"), ("Providers:gmail:Port", "587")));
        Assert.Equal("Providers:gmail:Host", error.Key);
    }

    [Theory]
    [InlineData(null, "not found")]
    [InlineData("not a certificate\n", "holds no PEM certificate")]
    [InlineData("-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----\n", "is not PEM certificates")]
    public void A_trusted_certificate_file_that_is_missing_or_not_certificates_stops_startup(string? content, string problem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"trusted-{Guid.NewGuid():N}.pem");
        if (content is not null) File.WriteAllText(path, content);
        try
        {
            var error = Assert.Throws<ConfigurationException>(() => Load(("Routing:Order:0", "gmail"), ("Providers:gmail:Host", "smtp.example.com"),
                ("Providers:gmail:TrustedCertificate", path)));
            Assert.Equal("Providers:gmail:TrustedCertificate", error.Key);
            Assert.Contains(problem, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Primary_moves_to_the_front_of_the_order()
    {
        var settings = Load(("Routing:Order:1", "gmail"), ("Providers:gmail:Host", "smtp.gmail.com"), ("Routing:Primary", "gmail"));
        using var policy = new RoutingPolicy(settings.Routing, null);
        Assert.Equal(["gmail", "mailbox"], policy.EffectiveOrder);
    }
}
