using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Configuration;

/// <summary>What the running executable holds on to: its spool, alone, and no file watches over it.</summary>
public sealed class SpoolOwnershipTests
{
    [Fact]
    public async Task Second_proxy_on_the_same_spool_stops_at_startup_naming_the_key_and_the_first_keeps_working()
    {
        using var upstream = await UpstreamSmtpServer.StartAsync();
        var settings = ProxyProcess.RelayingTo(upstream.Port);
        using var first = await ProxyProcess.StartAsync(settings);
        var second = ProxyProcess.RelayingTo(upstream.Port);
        second["Spool:Path"] = settings["Spool:Path"];

        using var process = ProxyProcess.Launch(second);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 78, $"exit {exitCode}: {process.Output}");
        Assert.Contains("configuration error: Spool:Path", process.Output);
        Assert.Contains("in use by another running smtp-proxy", process.Output);
        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{first.SmtpPort}", "--from", "app@example.com", "--to", "alice@example.com");
        Assert.True(exit == 0, transcript);
        await Eventually.TrueAsync(() => upstream.Messages.Count == 1, "the first proxy to relay");
    }

    [Fact]
    public async Task Spool_of_a_killed_proxy_is_taken_by_the_next_one()
    {
        var settings = ProxyProcess.RelayingTo(TestPorts.GetFree());
        using var proxy = await ProxyProcess.StartAsync(settings);

        proxy.Kill();
        await proxy.RestartAsync(); // throws with the output if it exits instead of listening
    }

    [Fact]
    public async Task Spooling_wakes_no_file_watch()
    {
        // The host's default reload watch on appsettings.json covered the whole working folder, where the
        // spool lives by default: two wake-ups for every message. Only polling of our one file remains.
        using var proxy = await ProxyProcess.StartAsync(ProxyProcess.RelayingTo(TestPorts.GetFree()));

        var watches = Directory.EnumerateFileSystemEntries($"/proc/{proxy.ProcessId}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.Contains("inotify", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(watches);
    }
}
