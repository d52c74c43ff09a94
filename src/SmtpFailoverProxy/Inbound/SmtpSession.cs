using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Security;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// One inbound SMTP session over a duplex pipe (RFC 5321, with PIPELINING, SIZE, 8BITMIME, SMTPUTF8 and
/// ENHANCEDSTATUSCODES). Which command may come when is <see cref="SmtpStateTable"/>'s business; this
/// class runs the commands, streams DATA into the spool and answers 250 only once the message is durable.
/// </summary>
internal sealed class SmtpSession
{
    // RFC 5321 4.5.3.1.4 and 4.5.3.1.6, CR LF included.
    private const int MaxCommandLine = 512;
    private const int MaxTextLine = 1000;
    private const long TooSlow = -2;

    private readonly UpgradableTransport _transport;
    private readonly SmtpSecurityPolicy _security;
    private readonly bool _implicitTls;
    // Disposed at the end of the session: undisposed, its registration on the application's stopping
    // token would outlive the session, one per connection, for the life of the process.
    private readonly CancellationTokenSource _sessionCancellation;
    private readonly CancellationToken _sessionToken;
    private PipeWriter _output;
    private SmtpLineReader _input;
    private readonly IPAddress? _remoteAddress;
    private readonly string _remoteName;
    private readonly SmtpOptions _options;
    private readonly MessageSpool _spool;
    private readonly DeliveryQueue _deliveryQueue;
    private readonly MailClassifier _classifier;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationToken _shutdown;

    private SmtpSessionState _state = SmtpSessionState.Connected;
    private string _clientName = string.Empty;
    private bool _extended;
    private MailFromArguments? _mailFrom;
    private readonly List<string> _recipients = [];
    private int _errors;
    private string? _authenticatedUser;
    // The message whose 250 was just written, queued for delivery once that reply is on its way.
    private string? _acknowledged;

    public SmtpSession(
        IDuplexPipe transport,
        IPAddress? remoteAddress,
        SmtpOptions options,
        MessageSpool spool,
        DeliveryQueue deliveryQueue,
        MailClassifier classifier,
        SmtpSecurityPolicy security,
        bool implicitTls,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken shutdown,
        CancellationToken connectionClosed)
    {
        _transport = new UpgradableTransport(transport);
        _security = security;
        _implicitTls = implicitTls;
        _output = transport.Output;
        _remoteAddress = remoteAddress;
        _remoteName = remoteAddress?.ToString() ?? "unknown";
        _options = options;
        _spool = spool;
        _deliveryQueue = deliveryQueue;
        _classifier = classifier;
        _timeProvider = timeProvider;
        _logger = logger;
        _shutdown = shutdown;
        _sessionCancellation = CancellationTokenSource.CreateLinkedTokenSource(shutdown, connectionClosed);
        _sessionToken = _sessionCancellation.Token;
        _input = new SmtpLineReader(transport.Input, timeProvider, _sessionToken);
    }

    public async Task RunAsync()
    {
        try
        {
            // Implicit TLS (port 465 style): the handshake comes before the greeting.
            if (_implicitTls && !await StartTlsAsync()) return;
            Send(SmtpReply.Greeting(_options.Hostname));
            await _output.FlushAsync();
            while (true)
            {
                var line = await _input.ReadLineAsync(MaxCommandLine, _options.CommandTimeout);
                if (line is null) return; // The client closed its side.

                var keepOpen = await HandleCommandLineAsync(line.Value);
                if (!keepOpen)
                {
                    await _output.FlushAsync();
                    return;
                }

                if (_errors >= _options.MaxErrors)
                {
                    _logger.TooManyErrors(_remoteName, _errors);
                    Send(SmtpReply.TooManyErrors);
                    await _output.FlushAsync();
                    return;
                }

                // PIPELINING (RFC 2920 3): replies to a group of commands may go out together.
                if (!_input.HasBufferedInput) await _output.FlushAsync();
                QueueAcknowledged();
            }
        }
        catch (OperationCanceledException) when (_input.TimedOut)
        {
            _logger.SessionTimedOut(_remoteName);
            await TrySendAsync(SmtpReply.CommandTimeout);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            await TrySendAsync(SmtpReply.ShuttingDown);
        }
        catch (OperationCanceledException)
        {
            // The client is gone: nothing to say to anyone.
        }
        catch (IOException)
        {
            // Connection reset by the client.
        }
        finally
        {
            // Its 250 may not have reached the client, but the message is durable: it goes out all the same.
            QueueAcknowledged();
            _input.Release();
            _input.Dispose();
            await _transport.DisposeAsync();
            _sessionCancellation.Dispose();
        }
    }

    /// <summary>
    /// Queues the message acknowledged last, after its 250 went out (or waits behind the client's next
    /// pipelined commands): a waiting delivery loop starts its delivery here, on this thread (see
    /// <see cref="DeliveryQueue"/>), and the client need not wait for that.
    /// </summary>
    private void QueueAcknowledged()
    {
        if (_acknowledged is not { } queueId) return;
        _acknowledged = null;
        _deliveryQueue.Enqueue(queueId);
    }

    private async ValueTask<bool> HandleCommandLineAsync(SmtpLine line)
    {
        if (!line.StartsLine) return true; // The tail of an overlong line, already answered.
        if (line.TooLong) return Fail(SmtpReply.LineTooLong);
        if (line.Ending == LineEnding.BareLf) return Fail(SmtpReply.BareLineFeedInCommand);

        Span<byte> bytes = stackalloc byte[MaxCommandLine];
        line.Content.CopyTo(bytes);
        if (!SmtpCommandParser.TryParse(bytes[..(int)line.Content.Length], out var command, out var parseError))
        {
            return Fail(parseError!);
        }

        if (!SmtpStateTable.TryGetTransition(_state, command.Verb, out var next, out var rejection))
        {
            return Fail(rejection!);
        }

        SmtpReply reply;
        switch (command.Verb)
        {
            case SmtpVerb.Ehlo:
            case SmtpVerb.Helo:
                reply = Hello(command);
                break;
            case SmtpVerb.Mail:
                reply = Mail(command.Argument);
                break;
            case SmtpVerb.Rcpt:
                reply = Recipient(command.Argument);
                break;
            case SmtpVerb.Data:
                if (command.Argument.Length > 0) return Fail(SmtpReply.SyntaxError);
                if (!_security.Limits.TryStartData()) return Fail(SmtpReply.TooManyTransfers);
                try
                {
                    // The rate is measured from the 354: from then on the client may send.
                    var invited = _timeProvider.GetTimestamp();
                    Send(SmtpReply.StartData);
                    await _output.FlushAsync();
                    return await ReceiveDataAsync(invited);
                }
                finally
                {
                    _security.Limits.EndData();
                }
            case SmtpVerb.Rset:
                ResetTransaction();
                if (_state != SmtpSessionState.Connected) _state = SmtpSessionState.Greeted;
                reply = SmtpReply.ResetOk;
                break;
            case SmtpVerb.Noop:
                reply = SmtpReply.Ok;
                break;
            case SmtpVerb.Help:
                reply = SmtpReply.Help;
                break;
            case SmtpVerb.Vrfy:
                reply = SmtpReply.CannotVerify;
                break;
            case SmtpVerb.Quit:
                Send(SmtpReply.Closing(_options.Hostname));
                return false;
            case SmtpVerb.StartTls:
                return await StartTlsCommandAsync(command.Argument);
            case SmtpVerb.Auth:
                return await AuthenticateAsync(command.Argument);
            default:
                return Fail(SmtpReply.NotImplemented);
        }

        if (reply.Code >= 500) return Fail(reply);
        if (reply.IsPositive && next is { } nextState) _state = nextState;
        Send(reply);
        return true;
    }

    private SmtpReply Hello(SmtpCommand command)
    {
        // RFC 5321 4.1.1.1: EHLO domain / address-literal.
        if (command.Argument.Length == 0 || command.Argument.Contains(' ')) return SmtpReply.SyntaxError;
        ResetTransaction();
        _clientName = command.Argument;
        _extended = command.Verb == SmtpVerb.Ehlo;
        if (!_extended) return SmtpReply.HeloOk(_options.Hostname, _clientName);

        List<string> lines =
        [
            $"{_options.Hostname} greets {_clientName}",
            "PIPELINING",
            $"SIZE {_options.MaxMessageSize}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
        ];
        if (_security.Certificate is not null && !_transport.IsSecure) lines.Add("STARTTLS");
        if (_authenticatedUser is null && _security.OffersAuth(_remoteAddress, _transport.IsSecure)) lines.Add("AUTH PLAIN LOGIN");
        return new SmtpReply(250, null, lines);
    }

    private SmtpReply Mail(string argument)
    {
        // Never an open relay: outside Smtp:AllowedClients (or with RequireAuth) only authenticated clients send.
        if (_authenticatedUser is null && _security.RequiresAuth(_remoteAddress)) return SmtpReply.AuthenticationRequired;
        if (!MailFromArguments.TryParse(argument, out var mailFrom, out var error)) return error!;
        // RFC 1870 6.1: refuse early when the declared size is over the limit.
        if (mailFrom!.DeclaredSize > _options.MaxMessageSize) return SmtpReply.MessageTooLargeFor(_options.MaxMessageSize);
        if (!mailFrom.Sender.IsNull && !_options.IsSenderDomainAllowed(mailFrom.Sender.Domain)) return SmtpReply.SenderDomainNotAllowed;
        // RFC 1870 6.1 again, for the disk: 452 now rather than after the client has sent the whole message.
        if (!_spool.HasRoomFor(mailFrom.DeclaredSize ?? 0)) return SmtpReply.StorageFull;
        if (!_security.Limits.TryCountMessage(_remoteAddress)) return SmtpReply.MessageRateExceeded;
        _mailFrom = mailFrom;
        return SmtpReply.SenderOk;
    }

    private SmtpReply Recipient(string argument)
    {
        if (_recipients.Count >= _options.MaxRecipients) return SmtpReply.TooManyRecipients;
        if (!MailFromArguments.TryParseRecipient(argument, _mailFrom!.SmtpUtf8, out var recipient, out var error)) return error!;
        if (!_security.Limits.TryCountRecipient(_remoteAddress)) return SmtpReply.RecipientRateExceeded;
        _recipients.Add(recipient.Address);
        return SmtpReply.RecipientOk;
    }

    private async ValueTask<bool> ReceiveDataAsync(long invited)
    {
        var now = _timeProvider.GetUtcNow();
        var envelope = new MessageEnvelope(QueueId.New(_timeProvider), _mailFrom!.Sender.Address, _recipients.ToArray(), now,
            _remoteName, _clientName, _mailFrom.EightBitMime, _mailFrom.SmtpUtf8);
        ResetTransaction();
        _state = SmtpSessionState.Greeted;

        SmtpReply? refusal = null;
        SpoolEntryWriter? entry = null;
        try
        {
            entry = _spool.Begin(envelope);
            var protocol = (envelope.SmtpUtf8 ? "UTF8SMTP" : _extended ? "ESMTP" : "SMTP");
            entry.Write(ReceivedHeader.Build(_clientName, _remoteAddress, _options.Hostname, protocol, envelope.QueueId, envelope.Recipients, now));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            refusal = SpoolFailed(ex);
        }

        try
        {
            var (size, dataRefusal, headers) = await ReadDataIntoAsync(entry, refusal, invited);
            if (size == TooSlow)
            {
                Send(SmtpReply.DataRateTooLow);
                return false;
            }

            if (size < 0) return false; // The client left mid-DATA: nothing was acknowledged, nothing is kept.
            refusal = dataRefusal;
            if (refusal is null && headers.FromDomain is { } fromDomain && !_options.IsSenderDomainAllowed(fromDomain))
            {
                refusal = SmtpReply.FromDomainNotAllowed;
            }

            if (refusal is null)
            {
                envelope = envelope with { MailClass = _classifier.Classify(envelope.Sender, envelope.Recipients.Count, headers) };
                try
                {
                    // The only session: nothing can share this message's sync, which is then done on this thread.
                    await entry!.CommitAsync(envelope, alone: _security.Limits.IsOnlySession);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    refusal = SpoolFailed(ex);
                }
            }

            if (refusal is not null)
            {
                _logger.MessageRefused(envelope.Sender, refusal.ToString());
                return Fail(refusal);
            }

            _logger.MessageAccepted(envelope.QueueId, envelope.Sender, envelope.Recipients.Count, size, envelope.MailClass.ToString());
            _acknowledged = envelope.QueueId;
            Send(SmtpReply.Queued(envelope.QueueId));
            return true;
        }
        finally
        {
            entry?.Dispose();
        }
    }

    /// <summary>
    /// Reads DATA up to CR LF . CR LF, unstuffing dots and writing to <paramref name="entry"/> while no
    /// refusal is pending. Bytes keep being read after a refusal so the session stays in step. Returns the
    /// size received, or -1 when the client closed the connection before the end (<see cref="TooSlow"/> when
    /// it sent slower than <c>Smtp:MinDataRate</c> counted from <paramref name="started"/>, the 354), and the
    /// refusal if any.
    /// </summary>
    private async ValueTask<(long Size, SmtpReply? Refusal, MessageHeaderSummary Headers)> ReadDataIntoAsync(SpoolEntryWriter? entry, SmtpReply? refusal, long started)
    {
        var filter = new MessageHeaderFilter();
        long size = 0, headerSize = 0;
        var previousEndedWithCrLf = true; // The DATA command line itself ended with CR LF.
        while (true)
        {
            if (!_input.TryReadBufferedLine(MaxTextLine, out var line))
            {
                if (await _input.ReadLineAsync(MaxTextLine, _options.DataTimeout) is not { } read) return (-1, refusal, filter.Summary);
                line = read;

                // Slowloris: after the grace period, a transfer slower than the minimum rate is cut off. Looked
                // at whenever input had to be waited for: lines already buffered came fast enough.
                var elapsed = _timeProvider.GetElapsedTime(started);
                if (_options.MinDataRate > 0 && elapsed > _options.MinDataRateGrace && size < _options.MinDataRate * elapsed.TotalSeconds)
                {
                    return (TooSlow, refusal, filter.Summary);
                }
            }

            // Only CR LF . CR LF ends the data: <LF>.<LF>, <CR>.<CR> and <LF>.<CR><LF> do not (SMTP smuggling).
            if (line.IsDataTerminator && previousEndedWithCrLf) return (size, refusal, filter.Summary);
            previousEndedWithCrLf = line.Ending == LineEnding.CrLf;

            if (refusal is null)
            {
                if (line.TooLong) refusal = SmtpReply.DataLineTooLong;
                else if (line.Ending == LineEnding.BareLf) refusal = SmtpReply.BareLineEndingInData;
                else if (HasCrOrNul(line.Content)) refusal = line.Content.PositionOf((byte)'\r') is not null ? SmtpReply.BareLineEndingInData : SmtpReply.NulInData;
            }

            var content = line.Content;
            // RFC 5321 4.5.2: a leading dot was doubled by the client.
            if (line.StartsLine && !content.IsEmpty && content.FirstSpan[0] == (byte)'.') content = content.Slice(1);
            size += content.Length + (line.Ending == LineEnding.None ? 0 : 2);
            if (filter.InHeader)
            {
                headerSize += content.Length + 2;
                if (refusal is null && headerSize > _options.MaxHeaderSize) refusal = SmtpReply.HeaderTooLarge;
            }

            if (refusal is null && size > _options.MaxMessageSize)
            {
                refusal = SmtpReply.MessageTooLargeFor(_options.MaxMessageSize);
            }

            if (refusal is null && filter.ShouldWrite(content))
            {
                try
                {
                    entry!.WriteLine(content);
                }
                catch (IOException ex)
                {
                    refusal = SpoolFailed(ex);
                }
            }
        }
    }

    /// <summary>One scan of a line for the two bytes DATA refuses inside a line: a bare CR, and NUL.</summary>
    private static bool HasCrOrNul(in ReadOnlySequence<byte> content)
    {
        if (content.IsSingleSegment) return content.FirstSpan.IndexOfAny((byte)'\r', (byte)0) >= 0;
        foreach (var segment in content)
        {
            if (segment.Span.IndexOfAny((byte)'\r', (byte)0) >= 0) return true;
        }

        return false;
    }

    /// <summary>STARTTLS (RFC 3207): 220, the handshake, then a fresh session state (the client says EHLO again).</summary>
    private async ValueTask<bool> StartTlsCommandAsync(string argument)
    {
        if (_security.Certificate is null) return Fail(SmtpReply.NotImplemented);
        if (_transport.IsSecure) return Fail(SmtpReply.TlsAlreadyActive);
        if (argument.Length > 0) return Fail(SmtpReply.SyntaxError);
        if (_input.HasBufferedInput)
        {
            // Plaintext sent after STARTTLS could be injected commands (RFC 3207 5): refuse to go on.
            Send(SmtpReply.PipelinedStartTls);
            return false;
        }

        Send(SmtpReply.ReadyToStartTls);
        await _output.FlushAsync();
        if (!await StartTlsAsync()) return false;
        ResetTransaction();
        _state = SmtpSessionState.Connected;
        _clientName = string.Empty;
        _authenticatedUser = null;
        return true;
    }

    /// <summary>Runs the handshake and moves the session onto the TLS pipes; false when it failed (the connection is then closed).</summary>
    private async ValueTask<bool> StartTlsAsync()
    {
        _input.Release();
        try
        {
            using var timeout = new CancellationTokenSource(_options.CommandTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _sessionToken);
            await _transport.UpgradeAsync(_security.Certificate!.Current, linked.Token);
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            _logger.TlsHandshakeFailed(_remoteName, ex.GetType().Name);
            return false;
        }

        _input.Dispose();
        _input = new SmtpLineReader(_transport.Current.Input, _timeProvider, _sessionToken);
        _output = _transport.Current.Output;
        return true;
    }

    /// <summary>AUTH PLAIN and LOGIN (RFC 4954, RFC 4616). Failures are slowed and counted per address.</summary>
    private async ValueTask<bool> AuthenticateAsync(string argument)
    {
        if (_authenticatedUser is not null) return Fail(SmtpReply.AlreadyAuthenticated);
        if (!_security.OffersAuth(_remoteAddress, _transport.IsSecure))
        {
            return Fail(_security.Certificate is not null && !_transport.IsSecure ? SmtpReply.EncryptionRequired : SmtpReply.NotImplemented);
        }

        if (_security.AuthFailures.IsBlocked(_remoteAddress)) return Fail(SmtpReply.AuthTemporarilyBlocked);

        var space = argument.IndexOf(' ');
        var mechanism = (space < 0 ? argument : argument[..space]).ToUpperInvariant();
        var initial = space < 0 ? null : argument[(space + 1)..];
        string? user, password;
        switch (mechanism)
        {
            case "PLAIN":
            {
                var response = initial ?? await ChallengeAsync(string.Empty);
                if (response is null) return false;
                if (response == "*") return Fail(SmtpReply.AuthCancelled);
                var decoded = DecodeBase64(response);
                var parts = decoded?.Split('\0');
                if (parts is not { Length: 3 }) return Fail(SmtpReply.AuthBadEncoding);
                (user, password) = (parts[1], parts[2]);
                break;
            }

            case "LOGIN":
            {
                var userLine = initial ?? await ChallengeAsync("VXNlcm5hbWU6"); // "Username:"
                if (userLine is null) return false;
                if (userLine == "*") return Fail(SmtpReply.AuthCancelled);
                user = DecodeBase64(userLine);
                if (user is null) return Fail(SmtpReply.AuthBadEncoding);
                var passwordLine = await ChallengeAsync("UGFzc3dvcmQ6"); // "Password:"
                if (passwordLine is null) return false;
                if (passwordLine == "*") return Fail(SmtpReply.AuthCancelled);
                password = DecodeBase64(passwordLine);
                if (password is null) return Fail(SmtpReply.AuthBadEncoding);
                break;
            }

            default:
                return Fail(SmtpReply.UnknownAuthMechanism);
        }

        // PBKDF2 takes milliseconds of CPU by design: not on a socket event thread (see SocketScheduling).
        if (!await Task.Run(() => _security.Authenticate(user, password), _sessionToken))
        {
            _security.AuthFailures.RecordFailure(_remoteAddress);
            _logger.AuthFailed(_remoteName);
            await Task.Delay(_security.AuthFailureDelay, _timeProvider, _sessionToken);
            return Fail(SmtpReply.AuthFailed);
        }

        _authenticatedUser = user;
        _logger.AuthSucceeded(user, _remoteName);
        Send(SmtpReply.AuthSucceeded);
        return true;
    }

    /// <summary>Sends a 334 challenge and reads the client's one-line answer; null when the client left.</summary>
    private async ValueTask<string?> ChallengeAsync(string challenge)
    {
        Send(new SmtpReply(334, null, challenge));
        await _output.FlushAsync();
        // RFC 4954 4: an AUTH response line may be up to 12288 octets.
        var line = await _input.ReadLineAsync(12288, _options.CommandTimeout);
        if (line is not { } value) return null;
        return value.TooLong || value.Ending != LineEnding.CrLf ? string.Empty : System.Text.Encoding.ASCII.GetString(value.Content.ToArray());
    }

    private static string? DecodeBase64(string value)
    {
        var buffer = new byte[value.Length];
        return value.Length > 0 && Convert.TryFromBase64String(value, buffer, out var written)
            ? System.Text.Encoding.UTF8.GetString(buffer, 0, written)
            : null;
    }

    private void ResetTransaction()
    {
        _mailFrom = null;
        _recipients.Clear();
    }

    /// <summary>
    /// The reply for a message the spool could not take: a temporary failure either way, never a 5xx (the
    /// client must try again, not drop the mail); 452 4.3.1 when the disk or quota is full (RFC 3463 X.3.1),
    /// else 451 4.3.0.
    /// </summary>
    private SmtpReply SpoolFailed(Exception ex)
    {
        _logger.SpoolWriteFailed(ex);
        return StorageFull.Is(ex) ? SmtpReply.StorageFull : SmtpReply.SpoolUnavailable;
    }

    private bool Fail(SmtpReply reply)
    {
        if (reply.Code >= 500) _errors++;
        Send(reply);
        return true;
    }

    private void Send(SmtpReply reply) => _output.Write(reply.ToBytes());

    private async Task TrySendAsync(SmtpReply reply)
    {
        try
        {
            Send(reply);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5), _timeProvider);
            await _output.FlushAsync(cts.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is already unusable.
        }
    }
}
