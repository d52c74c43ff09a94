using System.Net.Sockets;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Security;

/// <summary>Limits on clients, each against a proxy of its own (the limits are per address, and all tests come from 127.0.0.1).</summary>
public sealed class ClientLimitTests
{
    [Fact]
    public async Task Messages_per_minute_over_the_limit_get_451_and_recipients_452()
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        settings["Smtp:MaxMessagesPerClientPerMinute"] = "2";
        settings["Smtp:MaxRecipientsPerClientPerMinute"] = "3";
        using var proxy = await ProxyProcess.StartAsync(settings);
        await using var client = await SmtpTestClient.ConnectAsync(proxy.SmtpPort);

        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.com>"));
        for (var i = 0; i < 3; i++) Assert.StartsWith("250", await client.CommandAsync($"RCPT TO:<r{i}@example.com>"));
        Assert.StartsWith("452 4.5.3 Recipient rate limit", await client.CommandAsync("RCPT TO:<r3@example.com>"));
        Assert.StartsWith("250", await client.CommandAsync("RSET"));
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.com>"));
        Assert.StartsWith("250", await client.CommandAsync("RSET"));
        Assert.StartsWith("451 4.7.0", await client.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Theory]
    [InlineData("Smtp:MaxConnectionsPerClient", "421 4.7.0")] // from one address
    [InlineData("Smtp:MaxConnections", "421 4.3.2")] // from all clients
    public async Task Connections_over_the_limit_get_421_and_a_closed_one_frees_its_place(string limit, string refusal)
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        settings[limit] = "2";
        using var proxy = await ProxyProcess.StartAsync(settings);

        using var first = await ConnectGreetedAsync(proxy.SmtpPort);
        using var second = await ConnectGreetedAsync(proxy.SmtpPort);
        using var third = new TcpClient();
        await third.ConnectAsync("127.0.0.1", proxy.SmtpPort);
        var reader = new StreamReader(third.GetStream());
        Assert.StartsWith(refusal, await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15)));

        first.Dispose();
        await Eventually.TrueAsync(() => { using var greeted = TryConnectGreeted(proxy.SmtpPort); return greeted is not null; }, "a place to free up after a connection closes");
    }

    /// <summary>
    /// A connection the proxy greeted with 220, held open. The readiness probe's connections (opened and
    /// closed at once) may not have been counted out yet on a busy machine: a 421 until then is theirs.
    /// </summary>
    private static async Task<TcpClient> ConnectGreetedAsync(int port)
    {
        TcpClient? greeted = null;
        await Eventually.TrueAsync(() => (greeted = TryConnectGreeted(port)) is not null, "a connection greeted with 220");
        return greeted!;
    }

    private static TcpClient? TryConnectGreeted(int port)
    {
        var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        using var reader = new StreamReader(client.GetStream(), leaveOpen: true);
        if (reader.ReadLine()?.StartsWith("220 ", StringComparison.Ordinal) == true) return client;
        client.Dispose();
        return null;
    }
}
