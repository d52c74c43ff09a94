using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary>
/// kill -9 while many sessions commit at once (group commits), slots are recycled and deliveries are in
/// flight: what the fast paths must not trade away. Every message that heard 250 arrives upstream, intact,
/// and nothing arrives that the client did not finish sending.
/// </summary>
public sealed partial class KillUnderLoadTests
{
    private const int Sessions = 8;
    // Spool:DeliveryConcurrency's default: at most this many messages are between their upstream's 250 and
    // the mark that says delivered when the proxy dies, so at most this many arrive twice per kill.
    private const int DeliveriesInFlight = 8;

    [Theory]
    [InlineData("smtp")]
    [InlineData("ses")]
    public async Task Kill_9_twice_amid_concurrent_sessions_and_deliveries_loses_no_message_that_heard_250(string provider)
    {
        using var upstream = await Upstream.StartAsync(provider);
        using var proxy = await ProxyProcess.StartAsync(upstream.Settings);
        var sent = new ConcurrentDictionary<string, bool>(); // subject -> heard 250; added as its content starts to go

        var arrivedAtKill = new List<int>(); // the upstream's count of messages right after each kill
        for (var round = 1; round <= 2; round++)
        {
            var accepted = 0;
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(1, Sessions)
                .Select(session => SendUntilClosedAsync(proxy.SmtpPort, $"r{round}-s{session}", sent, () => Interlocked.Increment(ref accepted), stop.Token))
                .ToArray();

            // Deliveries running (slots freed and written over again) and commits coming in while the proxy dies.
            var deliveredBefore = upstream.Arrivals.Count;
            await Eventually.TrueAsync(() => Volatile.Read(ref accepted) >= 150 && upstream.Arrivals.Count >= deliveredBefore + 30,
                $"round {round}: 150 messages accepted and 30 delivered");
            proxy.Kill();
            arrivedAtKill.Add(upstream.Arrivals.Count);
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            await proxy.RestartAsync();
        }

        var heard250 = sent.Where(kv => kv.Value).Select(kv => kv.Key).ToHashSet();
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0 && heard250.IsSubsetOf(upstream.Arrivals.Select(SubjectOf)),
            "every message that heard 250 delivered and the spool empty");

        var delivered = upstream.Arrivals;
        foreach (var message in delivered)
        {
            var subject = SubjectOf(message);
            Assert.True(sent.ContainsKey(subject), $"delivered, but never sent: {subject}");
            Assert.Contains(BodyOf(subject), message);
        }

        // At-least-once, and only for what was in flight: the messages that arrived again after a restart.
        var arrivals = delivered.Select(SubjectOf).ToList();
        arrivedAtKill.Add(arrivals.Count);
        for (var kill = 0; kill < 2; kill++)
        {
            var again = arrivals.Skip(arrivedAtKill[kill]).Take(arrivedAtKill[kill + 1] - arrivedAtKill[kill]).Intersect(arrivals.Take(arrivedAtKill[kill]));
            Assert.InRange(again.Count(), 0, DeliveriesInFlight);
        }

        Assert.InRange(arrivals.Count - arrivals.Distinct().Count(), 0, 2 * DeliveriesInFlight);
    }

    /// <summary>One session sending message after message until the proxy dies or the round ends.</summary>
    private static async Task SendUntilClosedAsync(int port, string name, ConcurrentDictionary<string, bool> sent, Action onAccepted, CancellationToken stop)
    {
        await using var client = await SmtpTestClient.ConnectAsync(port);
        try
        {
            for (var i = 1; !stop.IsCancellationRequested; i++)
            {
                var subject = $"{name}-m{i}";
                if (!(await client.CommandAsync("MAIL FROM:<app@example.com>")).StartsWith("250", StringComparison.Ordinal)) return;
                if (!(await client.CommandAsync("RCPT TO:<user@example.com>")).StartsWith("250", StringComparison.Ordinal)) return;
                if (!(await client.CommandAsync("DATA")).StartsWith("354", StringComparison.Ordinal)) return;
                // Recorded before it goes: a write cut short may still have reached the proxy whole.
                sent[subject] = false;
                await client.SendAsync($"Subject: {subject}\r\nFrom: app@example.com\r\nTo: user@example.com\r\n\r\n{BodyOf(subject)}.\r\n");
                if (!(await client.ReadReplyAsync()).StartsWith("250", StringComparison.Ordinal)) return;
                sent[subject] = true;
                onAccepted();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The proxy died mid-command: this session ends, and what it sent is recorded.
        }
    }

    /// <summary>About 2 KB, different for every message, so a slot written over shows in the text.</summary>
    private static string BodyOf(string subject)
    {
        var body = new StringBuilder();
        for (var line = 0; line < 30; line++) body.Append(subject).Append(" line ").Append(line).Append(' ').Append('x', 40).Append("\r\n");
        return body.ToString();
    }

    private static string SubjectOf(string message) => SubjectHeader().Match(message) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidDataException("A delivered message without the test's Subject:\n" + message[..Math.Min(500, message.Length)]);

    /// <summary>
    /// aiosmtpd, or the SES sandbox at a MaxSendRate that keeps up with the sessions; what it received, in
    /// the order it arrived.
    /// </summary>
    private sealed class Upstream(IDisposable peer, Dictionary<string, string> settings, Func<IReadOnlyList<string>> arrivals) : IDisposable
    {
        public Dictionary<string, string> Settings { get; } = settings;

        public IReadOnlyList<string> Arrivals => arrivals();

        public static async Task<Upstream> StartAsync(string provider)
        {
            if (provider == "smtp")
            {
                var smtp = await UpstreamSmtpServer.StartAsync();
                return new Upstream(smtp, ProxyProcess.RelayingTo(smtp.Port), () => smtp.Messages.Select(m => m.Text).ToList());
            }

            var ses = await SesSandboxProcess.StartAsync("--SesSandbox:MaxSendRate=1000");
            var settings = ProxyProcess.DefaultSettings();
            ProxyProcess.AddSesSandboxProvider(settings, ses.Url);
            return new Upstream(ses, settings, () => ses.Messages.OrderBy(m => m.ReceivedAt).Select(m => Encoding.UTF8.GetString(m.Content)).ToList());
        }

        public void Dispose() => peer.Dispose();
    }

    [GeneratedRegex(@"^Subject: (\S+)\r$", RegexOptions.Multiline)]
    private static partial Regex SubjectHeader();
}
