namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>
/// The failover setting on loopback: our SES sandbox as SES, aiosmtpd as Gmail, and the proxy between
/// them with <c>Routing:Order</c> = [ses, gmail] and short durations.
/// </summary>
internal sealed class FailoverLab : IDisposable
{
    private FailoverLab(SesSandboxProcess ses, UpstreamSmtpServer gmail, Dictionary<string, string> settings)
    {
        Ses = ses;
        Gmail = gmail;
        Settings = settings;
    }

    public SesSandboxProcess Ses { get; }
    public UpstreamSmtpServer Gmail { get; }
    public Dictionary<string, string> Settings { get; }
    public ProxyProcess Proxy { get; private set; } = null!;

    /// <summary>Starts the peers and prepares the settings; <paramref name="configure"/> may change them before the proxy starts.</summary>
    public static async Task<FailoverLab> StartAsync(Action<Dictionary<string, string>>? configure = null)
    {
        var ses = await SesSandboxProcess.StartAsync();
        var gmail = await UpstreamSmtpServer.StartAsync();
        var settings = ProxyProcess.DefaultSettings();
        ProxyProcess.AddSesSandboxProvider(settings, ses.Url);
        settings["Routing:Order:1"] = "gmail";
        settings["Providers:ses:MaxSendRate"] = "200";
        settings["Providers:gmail:Type"] = "smtp";
        settings["Providers:gmail:Host"] = "127.0.0.1";
        settings["Providers:gmail:Port"] = gmail.Port.ToString();
        settings["Providers:gmail:Security"] = "None";
        settings["Circuit:HealthCheckInterval"] = "01:00:00";
        settings["Circuit:CanaryCheckInterval"] = "00:00:00.200";
        settings["Circuit:ThrottleBackoff"] = "00:00:00.200";
        settings["Circuit:CanaryRecipient"] = "canary@example.com";
        configure?.Invoke(settings);
        var lab = new FailoverLab(ses, gmail, settings);
        lab.Proxy = await ProxyProcess.StartAsync(settings);
        return lab;
    }

    /// <summary>Sends one message with swaks and asserts the proxy said 250.</summary>
    public async Task SendAsync(string subject, string to = "user@example.com", params string[] headers)
    {
        var arguments = new List<string> { "--server", $"127.0.0.1:{Proxy.SmtpPort}", "--from", "app@example.com", "--to", to, "--header", $"Subject: {subject}" };
        foreach (var header in headers) arguments.AddRange(["--add-header", header]);
        var (exit, transcript) = await Swaks.RunAsync(arguments.ToArray());
        Assert.True(exit == 0, transcript);
        Assert.Contains("250 2.0.0 OK queued as", transcript);
    }

    /// <summary>Subjects that reached the SES sandbox.</summary>
    public IReadOnlyList<string> SesSubjects => Ses.Messages.Select(m => SubjectOf(System.Text.Encoding.UTF8.GetString(m.Content))).ToList();

    /// <summary>Subjects that reached the Gmail stand-in.</summary>
    public IReadOnlyList<string> GmailSubjects => Gmail.Messages.Select(m => SubjectOf(m.Text)).ToList();

    private static string SubjectOf(string message) =>
        message.Split("\r\n").FirstOrDefault(l => l.StartsWith("Subject: ", StringComparison.Ordinal))?["Subject: ".Length..] ?? "";

    public void Dispose()
    {
        Proxy?.Dispose();
        Gmail.Dispose();
        Ses.Dispose();
    }
}
