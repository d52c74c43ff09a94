using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MimeKit;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// Relays to an upstream SMTP server over at most <c>MaxConnections</c> reused <see cref="SmtpRelayConnection"/>s.
/// The envelope goes as is, all recipients in one transaction, and the bytes as received (only From changes,
/// under <see cref="FromPolicy.Rewrite"/>); the upstream's replies decide each recipient's fate.
/// </summary>
/// <remarks>
/// Each connection in use is a lane: it carries one waiting send after another. When a send is waiting
/// by the time a message's content ends, its MAIL, RCPT and DATA go out in the same write as that
/// content's final dot (RFC 2920 3.1: the end of data may lead a group of commands): one round trip a
/// message instead of two while a backlog lasts, which against a distant server such as Gmail is most of
/// the time a message takes. A send whose envelope went out that way but whose connection then failed
/// sent no content, so it starts again on a fresh connection; a message whose content went is never
/// retried at once (it may have arrived).
/// </remarks>
internal sealed class SmtpRelayProvider : IEmailProvider, IAsyncDisposable
{
    private static readonly FormatOptions RelayFormat = CreateRelayFormat(international: false);
    private static readonly FormatOptions InternationalRelayFormat = CreateRelayFormat(international: true);

    private readonly SmtpProviderOptions _options;
    private readonly string _localName;
    private readonly TimeProvider _time;
    private readonly RemoteCertificateValidationCallback? _certificateValidation;
    private readonly ConcurrentQueue<PendingSend> _waiting = new();
    private readonly ConcurrentBag<SmtpRelayConnection> _idle = [];
    private int _lanes;

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
    }

    public string Name { get; }

    public Task<DeliveryResult> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<DeliveryResult>(cancellationToken);
        var pending = new PendingSend(message, cancellationToken);
        _waiting.Enqueue(pending);
        StartLane();
        return pending.Result;
    }

    /// <summary>Starts a lane when a send waits and fewer than <c>MaxConnections</c> run (on this thread, up to its first wait).</summary>
    private void StartLane()
    {
        while (!_waiting.IsEmpty)
        {
            var lanes = Volatile.Read(ref _lanes);
            if (lanes >= _options.MaxConnections) return;
            if (Interlocked.CompareExchange(ref _lanes, lanes + 1, lanes) != lanes) continue;
            _ = RunLaneAsync();
            return;
        }
    }

    /// <summary>The next waiting send not cancelled meanwhile, now this caller's; null when none waits.</summary>
    private PendingSend? TakeWaiting()
    {
        while (_waiting.TryDequeue(out var pending))
        {
            if (pending.TryTake()) return pending;
        }

        return null;
    }

    /// <summary>
    /// One lane: sends from the queue until it is empty, on one connection while it stays usable. Each send
    /// is completed on this thread, so its caller goes on here, without a thread-pool hop, up to its own
    /// first wait (for a plain delivery, its bookkeeping and the start of the next message's delivery; the
    /// router hops to the thread pool first only when that would write with fsync); the lane decides first
    /// what comes next, and when nothing does, it has already given its connection back.
    /// </summary>
    private async Task RunLaneAsync()
    {
        SmtpRelayConnection? connection = null;
        var envelopeSent = false;
        var left = false;
        try
        {
            var current = TakeWaiting();
            while (current is not null)
            {
                PendingSend? follower = null;
                DeliveryResult? result = null;
                Exception? failure = null;
                try
                {
                    (result, connection) = await SendOneAsync(current, connection, envelopeSent, () => (follower = TakeWaiting())?.Message);
                }
                catch (Exception ex)
                {
                    // Only the caller's cancellation gets here; whatever it was, the connection's state is unknown.
                    failure = ex;
                    if (connection is not null) await DiscardAsync(connection);
                    connection = null;
                }

                // A follower whose envelope went out carries on over this connection; if it closed meanwhile,
                // nothing of the follower's content went, so it starts again on a fresh one.
                envelopeSent = follower is not null && connection is { IsOpen: true, FollowerSent: true };
                if (connection is { IsOpen: false })
                {
                    await DiscardAsync(connection);
                    connection = null;
                }

                var next = follower ?? TakeWaiting();
                if (next is null)
                {
                    Leave(connection);
                    (connection, left) = (null, true);
                }

                if (failure is null) current.Complete(result!);
                else current.Fail(failure);
                current = next;
            }
        }
        finally
        {
            if (!left) Leave(connection);
        }
    }

    /// <summary>Ends a lane: its connection (if any, still open) waits for the next lane.</summary>
    private void Leave(SmtpRelayConnection? connection)
    {
        if (connection is not null) _idle.Add(connection);
        Interlocked.Decrement(ref _lanes);
        StartLane(); // A send queued after this lane's last look found every lane busy.
    }

    /// <summary>
    /// One message, over <paramref name="connection"/> (this lane's, whose last message may have sent this
    /// one's envelope already: <paramref name="envelopeSent"/>), else a pooled or a new one. Returns the
    /// result and the connection to go on with (null when none is left).
    /// </summary>
    private async Task<(DeliveryResult Result, SmtpRelayConnection? Connection)> SendOneAsync(PendingSend pending, SmtpRelayConnection? connection,
        bool envelopeSent, Func<OutboundMessage?> takeFollower)
    {
        var message = pending.Message;
        using var timeout = new OperationTimeout(_options.Timeout, _time, pending.CancellationToken);
        try
        {
            // A connection used before may have been closed by the server meanwhile: one retry on a fresh one,
            // unless content was already sent (the server may have taken the message).
            for (var attempt = 0; ; attempt++)
            {
                if (attempt == 0 && connection is null && _idle.TryTake(out var pooled)) connection = pooled;
                var usedBefore = attempt == 0 && connection is not null;
                try
                {
                    connection ??= await SmtpRelayConnection.OpenAsync(_options, _localName, _certificateValidation, _time, timeout);
                    var replies = await connection.SendAsync(message, (destination, token) => WriteContentAsync(message, destination, token), timeout,
                        envelopeSent, takeFollower);
                    if (usedBefore && !connection.IsOpen && !connection.ContentStarted && replies.Mail.Code == 421)
                    {
                        await DiscardAsync(connection);
                        (connection, envelopeSent) = (null, false);
                        continue;
                    }

                    return (ToResult(message, replies), connection);
                }
                catch (Exception ex) when (usedBefore && !connection!.ContentStarted && ex is IOException or SocketException)
                {
                    await DiscardAsync(connection);
                    (connection, envelopeSent) = (null, false);
                }
            }
        }
        catch (SmtpRelayException ex)
        {
            return (Deferred(message, ex.Class, ex.Reply), connection);
        }
        catch (OperationCanceledException) when (pending.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.HasExpired)
        {
            return (Deferred(message, OutcomeClass.Transient, UpstreamReply.NoAnswer($"{_options.Host}:{_options.EffectivePort}: no answer within {_options.Timeout}")), connection);
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException)
        {
            return (Deferred(message, OutcomeClass.Transient, UpstreamReply.NoAnswer($"{_options.Host}:{_options.EffectivePort}: {ex.GetType().Name}: {ex.Message}")), connection);
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
        catch (Exception)
        {
            // Closing anyway; a lane that throws here would leave its next send waiting forever.
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

    /// <summary>A send waiting for a lane, then carried by one; its caller awaits <see cref="Result"/>.</summary>
    private sealed class PendingSend
    {
        private const int Waiting = 0, Taken = 1, Cancelled = 2;

        // Completed on the lane's thread: the caller goes on there up to its first wait (see RunLaneAsync),
        // and the lane goes on with its follower.
        private readonly TaskCompletionSource<DeliveryResult> _result = new();
        private readonly CancellationTokenRegistration _cancellation;
        private int _state;

        public PendingSend(OutboundMessage message, CancellationToken cancellationToken)
        {
            Message = message;
            CancellationToken = cancellationToken;
            // Cancelled while it waits: the caller hears it at once, and no lane takes it.
            if (cancellationToken.CanBeCanceled) _cancellation = cancellationToken.UnsafeRegister(static state => ((PendingSend)state!).CancelWaiting(), this);
        }

        public OutboundMessage Message { get; }
        public CancellationToken CancellationToken { get; }
        public Task<DeliveryResult> Result => _result.Task;

        /// <summary>Claims the send for a lane; false when it was cancelled first.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

        public void Complete(DeliveryResult result)
        {
            _cancellation.Dispose();
            _result.TrySetResult(result);
        }

        public void Fail(Exception exception)
        {
            _cancellation.Dispose();
            if (exception is OperationCanceledException cancelled) _result.TrySetCanceled(cancelled.CancellationToken);
            else _result.TrySetException(exception);
        }

        private void CancelWaiting()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting) _result.TrySetCanceled(CancellationToken);
        }
    }
}
