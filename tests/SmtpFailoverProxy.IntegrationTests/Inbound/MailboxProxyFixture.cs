using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Inbound;

/// <summary>One proxy delivering to a mailbox folder, shared by the tests of a class.</summary>
public sealed class MailboxProxyFixture : IAsyncLifetime
{
    internal ProxyProcess Proxy { get; private set; } = null!;

    public string Mailbox => Path.Combine(Proxy.WorkDirectory, "mailbox");

    public async Task InitializeAsync()
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        settings["Smtp:MaxMessageSize"] = "10000";
        settings["Smtp:MaxRecipients"] = "3";
        settings["Smtp:MaxErrors"] = "5";
        settings["Smtp:CommandTimeout"] = "00:00:02";
        settings["Smtp:AllowedSenderDomains:0"] = "example.com";
        settings["Smtp:MaxHeaderSize"] = "2048";
        Proxy = await ProxyProcess.StartAsync(settings);
    }

    public Task DisposeAsync()
    {
        Proxy.Dispose();
        return Task.CompletedTask;
    }
}
