using MimeKit;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Health;

/// <summary>
/// Decides whether a suspended provider may carry mail again: its health check (SES GetAccount) must
/// say it can send, and a real message to our own <c>Circuit:CanaryRecipient</c>, marked with an
/// <c>X-SmtpFailoverProxy-Canary</c> header, must be accepted. Success closes the circuit; failure extends it.
/// </summary>
internal sealed class CanaryProbe(CircuitOptions options, string hostname, TimeProvider timeProvider)
{
    public async Task<(bool Passed, string Detail)> RunAsync(ProviderRoute route, CancellationToken cancellationToken)
    {
        if (route.Provider is IProviderHealthCheck check)
        {
            var health = await check.CheckHealthAsync(cancellationToken);
            if (health is null) return (false, "health check got no answer");
            if (!health.CanSend) return (false, health.Detail);
        }

        if (options.CanaryRecipient.Length == 0) return (true, "health check passed (no Circuit:CanaryRecipient, no canary message)");

        var bytes = BuildMessage(route.Name);
        var message = new OutboundMessage($"CANARY-{route.Name}", options.CanarySender ?? options.CanaryRecipient, [options.CanaryRecipient],
            () => new MemoryStream(bytes, writable: false), bytes.Length, false, false) { MailClass = MailClass.Critical };
        var result = await route.Provider.SendAsync(message, cancellationToken);
        return result.Class == OutcomeClass.Delivered && result.Recipients.All(r => r.Status == RecipientStatus.Delivered)
            ? (true, $"canary accepted: {result.SummaryReply}")
            : (false, $"canary refused: {result.SummaryReply}");
    }

    private byte[] BuildMessage(string provider)
    {
        var now = timeProvider.GetUtcNow();
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.CanarySender ?? options.CanaryRecipient));
        message.To.Add(MailboxAddress.Parse(options.CanaryRecipient));
        message.Subject = $"SmtpFailoverProxy canary for {provider}";
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(hostname);
        message.Headers.Add("X-SmtpFailoverProxy-Canary", $"{provider}; {now:O}");
        message.Body = new TextPart("plain") { Text = $"Canary sent by SmtpFailoverProxy to check that {provider} accepts mail again." };
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream);
        return stream.ToArray();
    }
}
