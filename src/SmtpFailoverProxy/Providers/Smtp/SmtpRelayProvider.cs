using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// Relays to an upstream SMTP server with MailKit over a small pool of reused connections. The envelope
/// goes as is, all recipients in one transaction; the upstream's replies decide each recipient's fate.
/// </summary>
internal sealed partial class SmtpRelayProvider : IEmailProvider, IAsyncDisposable
{
    private static readonly FormatOptions RelayFormat = CreateRelayFormat();

    private readonly SmtpProviderOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<RelaySmtpClient> _idle = [];

    public SmtpRelayProvider(string name, SmtpProviderOptions options)
    {
        Name = name;
        _options = options;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
    }

    public string Name { get; }

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        RelaySmtpClient? client = null;
        try
        {
            // A pooled connection may have been closed by the server while idle: one retry on a fresh one.
            for (var attempt = 0; ; attempt++)
            {
                var reused = _idle.TryTake(out client);
                // No protocol transcript: it would carry message bodies and AUTH secrets.
                client ??= new RelaySmtpClient(new NullProtocolLogger());
                try
                {
                    if (!client.IsConnected) await ConnectAsync(client, cancellationToken);
                    return await SendOnAsync(client, message, cancellationToken);
                }
                catch (SmtpCommandException ex)
                {
                    return FromCommandException(client, message, ex);
                }
                catch (Exception ex) when (reused && attempt == 0 && ex is ServiceNotConnectedException or IOException or SmtpProtocolException)
                {
                    client.Dispose();
                    client = null;
                }
            }
        }
        catch (AuthenticationException ex)
        {
            Discard(ref client);
            return Deferred(message, OutcomeClass.ProviderMisconfigured, new UpstreamReply(535, "5.7.8", ex.Message));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Discard(ref client);
            throw;
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException
                                       or SslHandshakeException or TimeoutException or OperationCanceledException)
        {
            Discard(ref client);
            return Deferred(message, OutcomeClass.Transient, UpstreamReply.NoAnswer($"{_options.Host}:{_options.EffectivePort}: {ex.GetType().Name}: {ex.Message}"));
        }
        finally
        {
            if (client is not null)
            {
                if (client.IsConnected) _idle.Add(client);
                else client.Dispose();
            }

            _slots.Release();
        }
    }

    private async Task ConnectAsync(RelaySmtpClient client, CancellationToken cancellationToken)
    {
        client.Timeout = (int)_options.Timeout.TotalMilliseconds;
        var socketOptions = _options.Security switch
        {
            SmtpSecurity.Implicit => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        // Our own socket with Nagle off: the final "." of DATA must not wait for the peer's delayed ACK (~40 ms a message).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(_options.Timeout);
        try
        {
            await socket.ConnectAsync(_options.Host, _options.EffectivePort, connectTimeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {_options.Host}:{_options.EffectivePort} took longer than {_options.Timeout}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        await client.ConnectAsync(socket, _options.Host, _options.EffectivePort, socketOptions, cancellationToken);
        if (!string.IsNullOrEmpty(_options.OAuth2Token))
        {
            await client.AuthenticateAsync(new SaslMechanismOAuth2(_options.Username ?? string.Empty, _options.OAuth2Token), cancellationToken);
        }
        else if (!string.IsNullOrEmpty(_options.Username))
        {
            await client.AuthenticateAsync(_options.Username, _options.Password ?? string.Empty, cancellationToken);
        }
    }

    private async Task<DeliveryResult> SendOnAsync(RelaySmtpClient client, OutboundMessage message, CancellationToken cancellationToken)
    {
        client.RefusedRecipients.Clear();
        await using var content = message.OpenContent();
        // persistent: parts stay on disk and are written back from there, byte for byte.
        var mime = await MimeMessage.LoadAsync(content, persistent: true, cancellationToken);
        FromRewriter.Apply(mime, _options);
        var sender = new MailboxAddress(string.Empty, message.Sender);
        var recipients = message.Recipients.Select(r => new MailboxAddress(string.Empty, r)).ToList();
        var format = RelayFormat;
        if (message.SmtpUtf8)
        {
            format = RelayFormat.Clone();
            format.International = true;
        }

        var response = await client.SendAsync(format, mime, sender, recipients, cancellationToken);
        return new DeliveryResult(Name, OutcomeClass.Delivered, PerRecipient(client, message, ParseReply(250, response), RecipientStatus.Delivered));
    }

    private DeliveryResult FromCommandException(RelaySmtpClient client, OutboundMessage message, SmtpCommandException ex)
    {
        var reply = ParseReply((int)ex.StatusCode, ex.Message);
        var outcome = SmtpReplyClassifier.Classify(reply);
        // MailKit throws for recipients only when none was accepted: each then keeps its own reply.
        return new DeliveryResult(Name, outcome, PerRecipient(client, message, reply, SmtpReplyClassifier.StatusOf(outcome)));
    }

    /// <summary>Refused recipients get their own reply; the others share <paramref name="reply"/>.</summary>
    private static RecipientResult[] PerRecipient(RelaySmtpClient client, OutboundMessage message, UpstreamReply reply, RecipientStatus status) =>
        message.Recipients.Select(r =>
        {
            var refused = client.RefusedRecipients.FirstOrDefault(x => x.Recipient.Equals(r, StringComparison.OrdinalIgnoreCase));
            if (refused.Response is null) return new RecipientResult(r, status, reply);
            var own = ParseReply((int)refused.Response.StatusCode, refused.Response.Response);
            return new RecipientResult(r, SmtpReplyClassifier.StatusOf(SmtpReplyClassifier.Classify(own)), own);
        }).ToArray();

    private DeliveryResult Deferred(OutboundMessage message, OutcomeClass outcome, UpstreamReply reply) =>
        DeliveryResult.ForAll(Name, outcome, message.Recipients, RecipientStatus.Deferred, reply);

    private static void Discard(ref RelaySmtpClient? client)
    {
        client?.Dispose();
        client = null;
    }

    /// <summary>Splits "5.1.1 User unknown" into the enhanced code and the text.</summary>
    internal static UpstreamReply ParseReply(int code, string text)
    {
        var match = EnhancedCodePattern().Match(text);
        return match.Success
            ? new UpstreamReply(code, match.Groups[1].Value, match.Groups[2].Value.Trim())
            : new UpstreamReply(code, null, text.Trim());
    }

    [GeneratedRegex(@"^\s*([245]\.\d{1,3}\.\d{1,3})\s+(.*)$", RegexOptions.Singleline)]
    private static partial Regex EnhancedCodePattern();

    private static FormatOptions CreateRelayFormat()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.EnsureNewLine = false;
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(quit: true);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
            {
                // Closing anyway.
            }

            client.Dispose();
        }
    }
}
