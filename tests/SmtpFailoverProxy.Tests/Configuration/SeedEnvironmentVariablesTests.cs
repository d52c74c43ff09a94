using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Tests.Configuration;

public sealed class SeedEnvironmentVariablesTests
{
    private static Dictionary<string, string?> Read(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return SeedEnvironmentVariables.Read(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void Maps_the_seed_variables_onto_configuration_keys()
    {
        var values = Read(("EMAIL_PROVIDER", "GMAIL"), ("SES_REGION", "ap-northeast-2"), ("GMAIL_SMTP", "smtp.gmail.com:465"),
            ("GMAIL_USER", "noreply@example.com"), ("GMAIL_PASS", "app-password"));

        Assert.Equal("gmail", values["Routing:Primary"]);
        Assert.Equal("ap-northeast-2", values["Providers:ses:Region"]);
        Assert.Equal("smtp.gmail.com", values["Providers:gmail:Host"]);
        Assert.Equal("465", values["Providers:gmail:Port"]);
        Assert.Equal("noreply@example.com", values["Providers:gmail:Username"]);
        Assert.Equal("app-password", values["Providers:gmail:Password"]);
    }

    [Theory]
    [InlineData("ses", "ses")]
    [InlineData("SES", "ses")]
    [InlineData(" Gmail ", "gmail")]
    public void EMAIL_PROVIDER_is_case_insensitive(string value, string primary)
    {
        Assert.Equal(primary, Read(("EMAIL_PROVIDER", value))["Routing:Primary"]);
    }

    [Fact]
    public void Unknown_EMAIL_PROVIDER_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => Read(("EMAIL_PROVIDER", "SENDGRID")));
        Assert.Equal("EMAIL_PROVIDER", error.Key);
    }

    [Fact]
    public void Host_without_port_keeps_the_default_port()
    {
        var values = Read(("GMAIL_SMTP", "smtp.gmail.com"));
        Assert.Equal("smtp.gmail.com", values["Providers:gmail:Host"]);
        Assert.False(values.ContainsKey("Providers:gmail:Port"));
    }
}
