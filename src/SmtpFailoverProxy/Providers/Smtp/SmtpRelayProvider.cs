using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MimeKit;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// Relays to an upstream SMTP server over a small pool of reused <see cref="SmtpRelayConnection"/>s. The
/// envelope goes as is, all recipients in one transaction, and the bytes as received (only From changes,
/// under <see cref="FromPolicy.Rewrite"/>); the upstream's replies decide each recipient's fate.
/// </summary>
internal sealed class SmtpRelayProvider : IEmailProvider, IAsyncDisposable
{
    private static readonly FormatOptions RelayFormat = CreateRelayFormat(international: false);
    private static readonly FormatOptions InternationalRelayFormat = CreateRelayFormat(international: true);

    private readonly SmtpProviderOptions _options;
    private readonly string _localName;
    private readonly TimeProvider _time;
    private readonly RemoteCertificateValidationCallback? _certificateValidation;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<SmtpRelayConnection> _idle = [];

    /// <param name="name">The provider's name in configuration.</param>
    /// <param name="options">Its section.</param>
    /// <param name="localName">Our name in EHLO (<c>Smtp:Hostname</c>).</param>
    /// <param name="time">The clock of every network timeout.</param>
    public SmtpRelayProvider(string name, SmtpProviderOptions options, string localName, TimeProvider time)
    {
        Name = name;
        _options = options;
        _localName = localName;
        _time = time;
        _certificateValidation = UpstreamCertificateValidation.Create(options.LoadTrustedCertificates());
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
    }

    public string Name { get; }

    public async Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        using var timeout = new OperationTimeout(_options.Timeout, _time, cancellationToken);
        SmtpRelayConnection? connection = null;
        try
        {
            // A pooled connection may have been closed by the server while idle: one retry on a fresh one,
            // unless content was already sent (the server may have taken the message).
            for (var attempt = 0; ; attempt++)
            {
                var reused = attempt == 0 && _idle.TryTake(out connection);
                try
                {
                    connection ??= await SmtpRelayConnection.OpenAsync(_options, _localName, _certificateValidation, _time, timeout);
                    var replies = await connection.SendAsync(message, (destination, token) => WriteContentAsync(message, destination, token), timeout);
                    if (reused && !connection.IsOpen && !connection.ContentStarted && replies.Mail.Code == 421)
                    {
                        await DiscardAsync(connection);
                        connection = null;
                        continue;
                    }

                    return ToResult(message, replies);
                }
                catch (Exception ex) when (reused && !connection!.ContentStarted && ex is IOException or SocketException)
                {
                    await DiscardAsync(connection);
                    connection = null;
                }
            }
        }
        catch (SmtpRelayException ex)
        {
            return Deferred(message, ex.Class, ex.Reply);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.HasExpired)
        {
            return Deferred(message, OutcomeClass.Transient, UpstreamReply.NoAnswer($"{_options.Host}:{_options.EffectivePort}: no answer within {_options.Timeout}"));
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException)
        {
            return Deferred(message, OutcomeClass.Transient, UpstreamReply.NoAnswer($"{_options.Host}:{_options.EffectivePort}: {ex.GetType().Name}: {ex.Message}"));
        }
        finally
        {
            if (connection is not null)
            {
                if (connection.IsOpen) _idle.Add(connection);
                else await DiscardAsync(connection);
            }

            _slots.Release();
        }
    }

    private async Task WriteContentAsync(OutboundMessage message, Stream destination, CancellationToken cancellationToken)
    {
        await using var content = message.OpenContent();
        if (_options.FromPolicy == FromPolicy.Rewrite)
        {
            // persistent: parts stay on disk and are written back from there, byte for byte.
            var mime = await MimeMessage.LoadAsync(content, persistent: true, cancellationToken);
            if (FromRewriter.Apply(mime, _options))
            {
                await mime.WriteToAsync(message.SmtpUtf8 ? InternationalRelayFormat : RelayFormat, destination, cancellationToken);
                return;
            }

            content.Position = 0;
        }

        await content.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>
    /// A refused recipient keeps its own reply; the accepted ones share the reply to the content (or to
    /// DATA); a refused MAIL decides for all.
    /// </summary>
    private DeliveryResult ToResult(OutboundMessage message, SmtpTransactionReplies replies)
    {
        if (!replies.Mail.IsPositive) return Classified(message, replies.Mail.ToUpstreamReply());
        var data = replies.Data?.ToUpstreamReply();
        var dataStatus = data is null ? RecipientStatus.Deferred : SmtpReplyClassifier.StatusOf(SmtpReplyClassifier.Classify(data));
        var results = new RecipientResult[message.Recipients.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var own = replies.Recipients[i];
            if (own.IsPositive && data is not null)
            {
                results[i] = new RecipientResult(message.Recipients[i], dataStatus, data);
                continue;
            }

            var reply = own.ToUpstreamReply();
            results[i] = new RecipientResult(message.Recipients[i], SmtpReplyClassifier.StatusOf(SmtpReplyClassifier.Classify(reply)), reply);
        }

        var outcome = results.Any(r => r.Status == RecipientStatus.Delivered)
            ? OutcomeClass.Delivered
            : SmtpReplyClassifier.Classify(data ?? results[0].Reply);
        return new DeliveryResult(Name, outcome, results);
    }

    private DeliveryResult Classified(OutboundMessage message, UpstreamReply reply)
    {
        var outcome = SmtpReplyClassifier.Classify(reply);
        return DeliveryResult.ForAll(Name, outcome, message.Recipients, SmtpReplyClassifier.StatusOf(outcome), reply);
    }

    private DeliveryResult Deferred(OutboundMessage message, OutcomeClass outcome, UpstreamReply reply) =>
        DeliveryResult.ForAll(Name, outcome, message.Recipients, RecipientStatus.Deferred, reply);

    private static async Task DiscardAsync(SmtpRelayConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Closing anyway.
        }
    }

    private static FormatOptions CreateRelayFormat(bool international)
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.EnsureNewLine = false;
        options.International = international;
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var connection)) await DiscardAsync(connection);
    }
}
