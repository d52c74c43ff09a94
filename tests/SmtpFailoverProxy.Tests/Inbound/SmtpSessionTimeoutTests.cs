using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Tests.Inbound;

/// <summary>The session's timeouts on a fake clock, over in-memory pipes.</summary>
public sealed class SmtpSessionTimeoutTests : IDisposable
{
    private readonly InMemorySmtpSession _client = new(new SmtpOptions
    {
        Hostname = "proxy.test", CommandTimeout = TimeSpan.FromMinutes(5), DataTimeout = TimeSpan.FromMinutes(3),
        MinDataRate = 1000, MinDataRateGrace = TimeSpan.FromSeconds(30),
    });

    [Fact]
    public async Task No_command_within_the_command_timeout_gets_421_4_4_2()
    {
        Assert.StartsWith("220 ", await _client.ReadAsync());
        var reply = await _client.AdvanceUntilReplyAsync(TimeSpan.FromMinutes(5));
        Assert.StartsWith("421 4.4.2", reply);
        await _client.Running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Activity_rearms_the_timer()
    {
        Assert.StartsWith("220 ", await _client.ReadAsync());
        await _client.SendAsync("NOOP\r\n");
        Assert.StartsWith("250 ", await _client.ReadAsync());
        _client.Time.Advance(TimeSpan.FromMinutes(4));
        await _client.SendAsync("NOOP\r\n");
        Assert.StartsWith("250 ", await _client.ReadAsync());
    }

    [Fact]
    public async Task Stalled_DATA_gets_421_after_the_data_timeout_and_nothing_is_queued()
    {
        await _client.StartDataAsync();
        await _client.SendAsync("Subject: half\r\n");

        Assert.StartsWith("421 4.4.2", await _client.AdvanceUntilReplyAsync(TimeSpan.FromMinutes(3)));
        Assert.False(_client.Queue.Ready.TryRead(out _));
        Assert.Empty(_client.Spool.ListQueued());
    }

    [Fact]
    public async Task DATA_slower_than_the_minimum_rate_after_the_grace_period_is_cut_off_with_421()
    {
        await _client.StartDataAsync();

        await _client.SendAsync("Subject: slow\r\n");
        _client.Time.Advance(TimeSpan.FromSeconds(20));
        await _client.SendAsync("a\r\n"); // within the grace period: fine
        _client.Time.Advance(TimeSpan.FromSeconds(20));
        await _client.SendAsync("b\r\n"); // 40 s for a few octets: far below 1000 octets/s

        Assert.StartsWith("421 4.4.2 Data rate too low", await _client.ReadAsync());
        Assert.Empty(_client.Spool.ListQueued());
    }

    [Fact]
    public async Task Host_shutdown_gets_421_4_3_2()
    {
        Assert.StartsWith("220 ", await _client.ReadAsync());
        await _client.Shutdown.CancelAsync();
        Assert.StartsWith("421 4.3.2", await _client.ReadAsync());
    }

    public void Dispose() => _client.Dispose();
}
