using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// Everything on loopback, no cloud account: the SES sandbox as SES, our SMTP stand-in as Gmail, and the
/// proxy between them with Routing:Order [ses, gmail] and short circuit durations. Used by
/// <c>smtp-proxy sandbox</c> (stays up for swaks) and <c>smtp-proxy demo</c> (a narrated failover).
/// </summary>
internal sealed class SandboxEnvironment : IAsyncDisposable
{
    private SandboxEnvironment(string folder, Ports ports, WebApplication ses, SmtpStandInServer gmail, WebApplication proxy)
    {
        Folder = folder;
        PortsInUse = ports;
        Ses = ses;
        Gmail = gmail;
        Proxy = proxy;
    }

    /// <summary>The loopback ports of the four listeners.</summary>
    public sealed record Ports(int Smtp, int Admin, int Ses, int Gmail);

    public string Folder { get; }
    public Ports PortsInUse { get; }
    public WebApplication Ses { get; }
    public SmtpStandInServer Gmail { get; }
    public WebApplication Proxy { get; }
    public string SesFolder => Path.Combine(Folder, "ses");
    public string GmailFolder => Path.Combine(Folder, "gmail");

    /// <summary>Starts the three parts. <paramref name="userArgs"/> come last, so they may override any sandbox default.</summary>
    public static async Task<SandboxEnvironment> StartAsync(string folder, Ports ports, IEnumerable<string> tuning, IReadOnlyList<string> userArgs)
    {
        folder = Path.GetFullPath(folder);
        var ses = SesSandboxApplication.Build(["--port", ports.Ses.ToString(), $"--SesSandbox:Path={Path.Combine(folder, "ses")}"]);
        await ses.StartAsync();
        var gmail = new SmtpStandInServer(new IPEndPoint(IPAddress.Loopback, ports.Gmail), Path.Combine(folder, "gmail"), NullLogger.Instance);

        string[] defaults =
        [
            $"--Smtp:Listen=127.0.0.1:{ports.Smtp}",
            $"--Admin:Listen=127.0.0.1:{ports.Admin}",
            "--Smtp:Hostname=smtp-proxy.sandbox",
            $"--Spool:Path={Path.Combine(folder, "spool")}",
            $"--State:Path={Path.Combine(folder, "state")}",
            "--Routing:Order:0=ses",
            "--Routing:Order:1=gmail",
            "--Providers:ses:Type=ses",
            "--Providers:ses:Region=sandbox-1",
            $"--Providers:ses:ServiceUrl=http://127.0.0.1:{ports.Ses}",
            "--Providers:ses:AccessKeyId=sandbox",
            "--Providers:ses:SecretAccessKey=sandbox-secret",
            "--Providers:gmail:Type=smtp",
            "--Providers:gmail:Host=127.0.0.1",
            $"--Providers:gmail:Port={ports.Gmail}",
            "--Providers:gmail:Security=None",
            "--Providers:gmail:Username=",
            "--Providers:gmail:Password=",
            "--Circuit:CanaryRecipient=canary@sandbox.local",
        ];
        var proxy = ProxyApplication.Build([.. defaults, .. tuning, .. userArgs]);
        await proxy.StartAsync();
        return new SandboxEnvironment(folder, ports, ses, gmail, proxy);
    }

    /// <summary>Picks four free loopback ports.</summary>
    public static Ports FreePorts()
    {
        var listeners = Enumerable.Range(0, 4).Select(_ => new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return new Ports(ports[0], ports[1], ports[2], ports[3]);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.StopAsync();
        await Proxy.DisposeAsync();
        await Gmail.DisposeAsync();
        await Ses.StopAsync();
        await Ses.DisposeAsync();
    }
}
