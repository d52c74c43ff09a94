using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Configuration;

/// <summary>A bad configuration stops the real executable with one line naming the key.</summary>
public sealed class StartupErrorTests
{
    [Theory]
    [InlineData("Smtp:MaxRecipients", "abc", "Smtp:MaxRecipients")]
    [InlineData("Smtp:MaxRecipients", "0", "Smtp:MaxRecipients")]
    [InlineData("Smtp:Listen", "not-an-endpoint", "Smtp:Listen")]
    [InlineData("Spool:MaxAge", "-00:01:00", "Spool:MaxAge")]
    [InlineData("Routing:Order:0", "nowhere", "Routing:Order:0")]
    [InlineData("Providers:gmail:Port", "70000", "Providers:gmail:Port")]
    [InlineData("Smtp:NoSuchKey", "1", "Smtp")]
    [InlineData("Smtp:Users:bob", "plaintext-password", "Smtp:Users:bob")]
    [InlineData("Smtp:AllowedClients:0", "everyone", "Smtp:AllowedClients:0")]
    [InlineData("Smtp:TlsCertificate", "/nonexistent/cert.pem", "Smtp:TlsCertificate")]
    [InlineData("Circuit:FailureRatio", "2", "Circuit:FailureRatio")]
    [InlineData("Providers:gmail:DailyLimit", "0", "Providers:gmail:DailyLimit")]
    public async Task Bad_value_stops_startup_naming_the_key(string key, string value, string named)
    {
        var settings = ProxyProcess.RelayingTo(TestPorts.GetFree());
        settings[key] = value;
        using var process = ProxyProcess.Launch(settings);

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 78, $"exit {exitCode}: {process.Output}");
        Assert.Contains($"configuration error: {named}", process.Output);
    }

    [Fact]
    public async Task Unknown_EMAIL_PROVIDER_stops_startup_naming_the_variable()
    {
        var settings = ProxyProcess.RelayingTo(TestPorts.GetFree());
        using var process = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, $"--Smtp:Listen={settings["Smtp:Listen"]}"],
            new Dictionary<string, string> { ["EMAIL_PROVIDER"] = "POSTCARD" });

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 78, $"exit {exitCode}: {process.Output}");
        Assert.Contains("configuration error: EMAIL_PROVIDER: 'POSTCARD' is not SES or GMAIL", process.Output);
    }
}
