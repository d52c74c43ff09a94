using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary>
/// The seed's failover and recovery scenario end to end: swaks -> proxy -> SES sandbox / aiosmtpd as
/// Gmail, with durations shortened by configuration.
/// </summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task SES_suspended_mid_stream_every_message_is_delivered_exactly_once_to_exactly_one_upstream()
    {
        using var lab = await FailoverLab.StartAsync();
        for (var i = 1; i <= 4; i++) await lab.SendAsync($"before {i}");
        await Eventually.TrueAsync(() => lab.SesSubjects.Count == 4, "SES to carry the first messages");

        await lab.Ses.SetModeAsync("Suspended");
        for (var i = 1; i <= 4; i++) await lab.SendAsync($"during {i}");

        await Eventually.TrueAsync(() => lab.GmailSubjects.Count == 4, "Gmail to carry the rest");
        await Eventually.TrueAsync(() => lab.Proxy.QueuedCount == 0, "the spool to empty");
        Assert.Equal(Enumerable.Range(1, 4).Select(i => $"before {i}"), lab.SesSubjects.Order());
        Assert.Equal(Enumerable.Range(1, 4).Select(i => $"during {i}"), lab.GmailSubjects.Order());
        Assert.Equal("Open", await lab.Proxy.CircuitStateAsync("ses"));
        // The circuit opened on the first suspension error: later messages went straight to Gmail.
        await Eventually.TrueAsync(() => lab.Proxy.Output.Contains("not taken by ses"), "the failover in the log");
        Assert.Single(lab.Proxy.Output.Split('\n'), l => l.Contains("not taken by ses"));
    }

    [Fact]
    public async Task Suspension_seen_only_through_GetAccount_opens_the_circuit_before_any_message_fails()
    {
        using var lab = await FailoverLab.StartAsync(s => s["Circuit:HealthCheckInterval"] = "00:00:00.500");
        await lab.Ses.SetModeAsync("SendingDisabled");
        await Eventually.TrueAsync(() => lab.Proxy.CircuitStateAsync("ses").Result == "Open", "the health poller to open the SES circuit");

        await lab.SendAsync("reset your password");

        await Eventually.TrueAsync(() => lab.GmailSubjects.Contains("reset your password"), "Gmail to carry it");
        Assert.DoesNotContain("not taken by ses", lab.Proxy.Output);
        Assert.Empty(lab.Ses.Messages);
    }

    [Fact]
    public async Task Failed_canary_extends_the_open_period_and_a_passing_canary_returns_traffic_to_SES()
    {
        using var lab = await FailoverLab.StartAsync(s =>
        {
            s["Circuit:SuspensionOpenDuration"] = "00:00:01";
            s["Circuit:CanaryFailureExtension"] = "00:00:01";
        });
        await lab.Ses.SetModeAsync("Suspended");
        await lab.SendAsync("while suspended");
        await Eventually.TrueAsync(() => lab.GmailSubjects.Contains("while suspended"), "failover to Gmail");

        await Eventually.TrueAsync(() => lab.Proxy.Output.Contains("Circuit ses Extended"), "a failed canary to extend the open period");
        Assert.Equal("Open", await lab.Proxy.CircuitStateAsync("ses"));

        await lab.Ses.SetModeAsync("Healthy");
        await Eventually.TrueAsync(() => lab.Proxy.CircuitStateAsync("ses").Result == "Closed", "the canary to close the circuit");
        var canary = Assert.Single(lab.Ses.Messages);
        Assert.Equal(["canary@example.com"], canary.Recipients);
        Assert.Contains("X-SmtpFailoverProxy-Canary: ses", System.Text.Encoding.UTF8.GetString(canary.Content));

        await lab.SendAsync("after recovery");
        await Eventually.TrueAsync(() => lab.SesSubjects.Contains("after recovery"), "traffic back on SES");
        Assert.DoesNotContain("after recovery", lab.GmailSubjects);
    }

    [Fact]
    public async Task Editing_EMAIL_PROVIDER_in_the_config_file_switches_the_primary_without_restart()
    {
        using var lab = await FailoverLab.StartAsync(s => File.WriteAllText(ProxyProcess.ConfigFile(s), """{ "EMAIL_PROVIDER": "SES" }"""));
        await lab.SendAsync("first");
        await Eventually.TrueAsync(() => lab.SesSubjects.Contains("first"), "SES as primary");

        await File.WriteAllTextAsync(ProxyProcess.ConfigFile(lab.Settings), """{ "EMAIL_PROVIDER": "GMAIL" }""");
        await Eventually.TrueAsync(() => lab.Proxy.Output.Contains("primary is now gmail"), "the proxy to pick up the edit");
        await lab.SendAsync("second");

        await Eventually.TrueAsync(() => lab.GmailSubjects.Contains("second"), "Gmail as primary");
        Assert.DoesNotContain("second", lab.SesSubjects);
    }

    [Fact]
    public async Task Gmail_at_its_daily_limit_queues_transactional_mail_never_takes_bulk_and_SES_delivers_both_on_return()
    {
        using var lab = await FailoverLab.StartAsync(s =>
        {
            s["Providers:gmail:DailyLimit"] = "2";
            s["Providers:gmail:CriticalReservePercent"] = "0";
        });
        await lab.Ses.SetModeAsync("Suspended");
        await lab.SendAsync("receipt 1");
        await Eventually.TrueAsync(() => lab.GmailSubjects.Count == 1, "the first message through Gmail");
        await lab.SendAsync("receipt 2");
        await lab.SendAsync("receipt 3");
        await lab.SendAsync("newsletter", "user@example.com", "X-Mail-Class: bulk");

        await Eventually.TrueAsync(() => lab.GmailSubjects.Count == 2, "Gmail to reach its limit");
        await Eventually.TrueAsync(() => lab.Proxy.QueuedCount == 2, "the rest to wait in the spool");
        Assert.DoesNotContain("newsletter", lab.GmailSubjects);

        await lab.Ses.SetModeAsync("Healthy");
        using (var http = new HttpClient())
        {
            (await http.PostAsync($"http://127.0.0.1:{lab.Proxy.AdminPort}/circuits/ses/reset", null)).EnsureSuccessStatusCode();
        }

        await Eventually.TrueAsync(() => lab.Proxy.QueuedCount == 0, "SES to take the queued mail");
        Assert.Contains("newsletter", lab.SesSubjects);
        var all = lab.SesSubjects.Concat(lab.GmailSubjects).Order().ToList();
        Assert.Equal(["newsletter", "receipt 1", "receipt 2", "receipt 3"], all);
        Assert.DoesNotContain(lab.Gmail.Messages, m => m.Text.Contains("X-Mail-Class"));
    }

    [Fact]
    public async Task A_restart_while_SES_is_suspended_keeps_the_circuit_open()
    {
        using var lab = await FailoverLab.StartAsync();
        await lab.Ses.SetModeAsync("Suspended");
        await lab.SendAsync("before restart");
        await Eventually.TrueAsync(() => lab.GmailSubjects.Count == 1, "failover to Gmail");

        await lab.Proxy.RestartAsync();

        Assert.Equal("Open", await lab.Proxy.CircuitStateAsync("ses"));
        await lab.SendAsync("after restart");
        await Eventually.TrueAsync(() => lab.GmailSubjects.Count == 2, "Gmail to carry mail after the restart");
        Assert.DoesNotContain("not taken by ses", lab.Proxy.Output);
    }

    [Fact]
    public async Task A_single_throttle_that_clears_after_the_backoff_does_not_fail_over()
    {
        using var lab = await FailoverLab.StartAsync();
        await lab.Ses.SetModeAsync("Throttled", count: 1);

        await lab.SendAsync("throttled once");

        await Eventually.TrueAsync(() => lab.SesSubjects.Contains("throttled once"), "SES to take it after the backoff");
        Assert.Empty(lab.Gmail.Messages);
        Assert.Equal("Closed", await lab.Proxy.CircuitStateAsync("ses"));
    }

    [Fact]
    public async Task On_Gmail_a_From_that_is_not_a_send_as_alias_is_rewritten_and_SES_gets_the_original_bytes()
    {
        using var lab = await FailoverLab.StartAsync(s =>
        {
            s["Providers:gmail:FromPolicy"] = "Rewrite";
            s["Providers:gmail:RewriteFromAddress"] = "relay@example.com";
            s["Providers:gmail:SendAsAliases:0"] = "@alias.example.com";
        });
        await lab.SendAsync("via ses", "user@example.com", "List-Unsubscribe: <mailto:unsub@example.com>");
        await Eventually.TrueAsync(() => lab.SesSubjects.Contains("via ses"), "SES to carry it");
        await lab.Ses.SetModeAsync("Suspended");

        // List-Unsubscribe alone would make it bulk (held for SES); the app says it is transactional.
        await lab.SendAsync("via gmail", "user@example.com", "List-Unsubscribe: <mailto:unsub@example.com>", "X-Mail-Class: transactional");

        await Eventually.TrueAsync(() => lab.GmailSubjects.Contains("via gmail"), "Gmail to carry it");
        var gmail = lab.Gmail.Messages.Single().Text;
        Assert.Contains("\r\nFrom: relay@example.com\r\n", gmail);
        Assert.Contains("\r\nReply-To: app@example.com\r\n", gmail);
        Assert.Contains("List-Unsubscribe: <mailto:unsub@example.com>", gmail);
        var ses = System.Text.Encoding.UTF8.GetString(lab.Ses.Messages.Single().Content);
        Assert.Contains("\r\nFrom: app@example.com\r\n", ses);
        Assert.DoesNotContain("Reply-To", ses);
    }

    [Fact]
    public async Task Operator_switches_the_primary_with_the_admin_CLI_without_restart()
    {
        using var lab = await FailoverLab.StartAsync();
        var admin = $"http://127.0.0.1:{lab.Proxy.AdminPort}";

        using (var cli = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, "admin", "primary", "gmail", "--admin", admin]))
        {
            Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await lab.SendAsync("switched by the operator");
        await Eventually.TrueAsync(() => lab.GmailSubjects.Contains("switched by the operator"), "Gmail as primary");

        using var status = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, "admin", "status", "--admin", admin]);
        Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("\"primary\":\"gmail\"", status.Output);

        using var unknown = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, "admin", "primary", "postcard", "--admin", admin]);
        Assert.Equal(1, await unknown.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
