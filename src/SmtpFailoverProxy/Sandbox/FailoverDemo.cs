using System.Diagnostics;
using System.Net.Http.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// <c>smtp-proxy demo</c>: the seed's incident, narrated, on loopback. Password resets and a newsletter go
/// out through SES; SES is suspended; resets fail over to the Gmail stand-in while bulk mail waits; the
/// open period passes; a canary fails and extends it; SES recovers; the canary passes and everything,
/// the held newsletters too, goes out through SES. Ends with a tally; exit code 0 only when nothing is lost.
/// </summary>
internal sealed class FailoverDemo(TextWriter output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _accepted = [];

    public static readonly string[] Tuning =
    [
        "--Circuit:SuspensionOpenDuration=00:00:04",
        "--Circuit:CanaryFailureExtension=00:00:03",
        "--Circuit:CanaryCheckInterval=00:00:00.500",
        "--Circuit:HealthCheckInterval=01:00:00",
        "--Spool:RetryInitialDelay=00:00:01",
        "--Spool:RetryMaxDelay=00:00:02",
        "--Serilog:MinimumLevel:Default=Error",
    ];

    public async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"smtp-proxy-demo-{Guid.NewGuid():N}");
        await using var sandbox = await SandboxEnvironment.StartAsync(folder, SandboxEnvironment.FreePorts(), Tuning, args);
        var ports = sandbox.PortsInUse;
        using var control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Ses}"), Timeout = TimeSpan.FromSeconds(10) };
        var ses = sandbox.Proxy.Services.GetRequiredService<IReadOnlyDictionary<string, ProviderRoute>>()["ses"].Circuit;
        var spool = sandbox.Proxy.Services.GetRequiredService<MessageSpool>();

        Say($"Sandbox up: proxy smtp://127.0.0.1:{ports.Smtp}, SES sandbox :{ports.Ses}, Gmail stand-in :{ports.Gmail}. Files under {folder}");

        Say("1. SES is healthy: two password resets and a newsletter.");
        await SendAsync(ports.Smtp, "Reset your password #1", bulk: false);
        await SendAsync(ports.Smtp, "Reset your password #2", bulk: false);
        await SendAsync(ports.Smtp, "November newsletter #1", bulk: true);
        await WaitAsync(() => Delivered(sandbox.SesFolder).Count == 3, "SES to deliver all three");
        Say("   delivered through SES: " + string.Join(", ", Delivered(sandbox.SesFolder)));

        Say("2. SES suspends the account (AccountSuspendedException).");
        (await control.PutAsJsonAsync("/_sandbox/mode", new { Mode = "Suspended" })).EnsureSuccessStatusCode();
        await SendAsync(ports.Smtp, "Reset your password #3", bulk: false);
        await SendAsync(ports.Smtp, "Your login code 481516", bulk: false);
        await SendAsync(ports.Smtp, "November newsletter #2", bulk: true);
        await WaitAsync(() => Delivered(sandbox.GmailFolder).Count == 2, "the resets to fail over to Gmail");
        Say($"   circuit ses: {Describe(ses.Snapshot)}");
        Say("   delivered through Gmail: " + string.Join(", ", Delivered(sandbox.GmailFolder)));
        Say($"   held in the spool for SES (bulk never goes to Gmail): {spool.Count}");

        Say("3. The open period ends; SES is still suspended, so the canary fails and the circuit stays open longer.");
        await WaitAsync(() => ses.Snapshot.CanaryFailures > 0, "a failed canary");
        Say($"   circuit ses: {Describe(ses.Snapshot)}");

        Say("4. SES lifts the suspension; the next canary (GetAccount + a real send to our own address) passes.");
        (await control.PutAsJsonAsync("/_sandbox/mode", new { Mode = "Healthy" })).EnsureSuccessStatusCode();
        await WaitAsync(() => ses.Snapshot.State == CircuitState.Closed, "the canary to close the circuit");
        Say($"   circuit ses: {Describe(ses.Snapshot)}");
        await WaitAsync(() => spool.Count == 0, "the held newsletter to go out through SES");
        await SendAsync(ports.Smtp, "Reset your password #4", bulk: false);
        await WaitAsync(() => Delivered(sandbox.SesFolder).Contains("Reset your password #4"), "new mail back on SES");
        // The sandbox stores the message before the proxy hears its answer and removes the spool file.
        await WaitAsync(() => spool.Count == 0, "the proxy to finish the delivery of the last message");

        var viaSes = Delivered(sandbox.SesFolder);
        var viaGmail = Delivered(sandbox.GmailFolder);
        var lost = _accepted.Count(s => !viaSes.Contains(s) && !viaGmail.Contains(s));
        var twice = _accepted.Count(s => viaSes.Contains(s) && viaGmail.Contains(s));
        Say("Tally");
        Say($"   accepted {_accepted.Count}, delivered via SES {viaSes.Count}, via Gmail {viaGmail.Count}, held {spool.Count}, lost {lost}, duplicated {twice}");
        Say($"   bulk through Gmail: {viaGmail.Count(s => s.Contains("newsletter"))}");
        return lost == 0 && twice == 0 && spool.Count == 0 ? 0 : 1;
    }

    private async Task SendAsync(int port, string subject, bool bulk)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("app@example.com"));
        message.To.Add(MailboxAddress.Parse("user@example.com"));
        message.Subject = subject;
        if (bulk) message.Headers.Add("X-Mail-Class", "bulk");
        message.Body = new TextPart("plain") { Text = $"{subject}\n" };
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
        _accepted.Add(subject);
        Say($"   app -> proxy: \"{subject}\"{(bulk ? " (bulk)" : "")}: 250 {reply}");
    }

    /// <summary>Subjects of the messages in a provider's folder, canaries left out.</summary>
    private static List<string> Delivered(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.eml")
                .Select(f => MimeMessage.Load(f))
                .Where(m => !m.Headers.Contains("X-SmtpFailoverProxy-Canary"))
                .Select(m => m.Subject ?? "")
                .ToList()
            : [];

    private static string Describe(CircuitSnapshot s) =>
        s.State == CircuitState.Closed ? "Closed" : $"{s.State} ({s.Reason}) until {s.OpenUntil:HH:mm:ss}, canary failures {s.CanaryFailures}";

    private async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > StepTimeout) throw new TimeoutException($"demo: timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private void Say(string line) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0}s] {line}");
}
