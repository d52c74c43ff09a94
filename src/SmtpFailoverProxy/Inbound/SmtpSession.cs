using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Routing;
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

    private readonly PipeWriter _output;
    private readonly SmtpLineReader _input;
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

    public SmtpSession(
        IDuplexPipe transport,
        IPAddress? remoteAddress,
        SmtpOptions options,
        MessageSpool spool,
        DeliveryQueue deliveryQueue,
        MailClassifier classifier,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken shutdown,
        CancellationToken connectionClosed)
    {
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
        _input = new SmtpLineReader(transport.Input, timeProvider, CancellationTokenSource.CreateLinkedTokenSource(shutdown, connectionClosed).Token);
    }

    public async Task RunAsync()
    {
        try
        {
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
            _input.Release();
            _input.Dispose();
        }
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
                Send(SmtpReply.StartData);
                await _output.FlushAsync();
                return await ReceiveDataAsync();
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

        return new SmtpReply(250, null,
        [
            $"{_options.Hostname} greets {_clientName}",
            "PIPELINING",
            $"SIZE {_options.MaxMessageSize}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
        ]);
    }

    private SmtpReply Mail(string argument)
    {
        if (!MailFromArguments.TryParse(argument, out var mailFrom, out var error)) return error!;
        // RFC 1870 6.1: refuse early when the declared size is over the limit.
        if (mailFrom!.DeclaredSize > _options.MaxMessageSize) return SmtpReply.MessageTooLargeFor(_options.MaxMessageSize);
        if (!mailFrom.Sender.IsNull && !_options.IsSenderDomainAllowed(mailFrom.Sender.Domain)) return SmtpReply.SenderDomainNotAllowed;
        _mailFrom = mailFrom;
        return SmtpReply.SenderOk;
    }

    private SmtpReply Recipient(string argument)
    {
        if (_recipients.Count >= _options.MaxRecipients) return SmtpReply.TooManyRecipients;
        if (!MailFromArguments.TryParseRecipient(argument, _mailFrom!.SmtpUtf8, out var recipient, out var error)) return error!;
        _recipients.Add(recipient.Address);
        return SmtpReply.RecipientOk;
    }

    private async ValueTask<bool> ReceiveDataAsync()
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
            _logger.SpoolWriteFailed(ex);
            refusal = SmtpReply.SpoolUnavailable;
        }

        try
        {
            var (size, dataRefusal, headers) = await ReadDataIntoAsync(entry, refusal);
            if (size < 0) return false; // The client left mid-DATA: nothing was acknowledged, nothing is kept.
            refusal = dataRefusal;
            if (refusal is null)
            {
                envelope = envelope with { MailClass = _classifier.Classify(envelope.Sender, envelope.Recipients.Count, headers) };
                try
                {
                    entry!.Commit(envelope);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _logger.SpoolWriteFailed(ex);
                    refusal = SmtpReply.SpoolUnavailable;
                }
            }

            if (refusal is not null)
            {
                _logger.MessageRefused(envelope.Sender, refusal.ToString());
                return Fail(refusal);
            }

            _logger.MessageAccepted(envelope.QueueId, envelope.Sender, envelope.Recipients.Count, size, envelope.MailClass.ToString());
            _deliveryQueue.Enqueue(envelope.QueueId);
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
    /// size received, or -1 when the client closed the connection before the end, and the refusal if any.
    /// </summary>
    private async ValueTask<(long Size, SmtpReply? Refusal, MessageHeaderSummary Headers)> ReadDataIntoAsync(SpoolEntryWriter? entry, SmtpReply? refusal)
    {
        var filter = new MessageHeaderFilter();
        long size = 0;
        var previousEndedWithCrLf = true; // The DATA command line itself ended with CR LF.
        while (true)
        {
            var read = await _input.ReadLineAsync(MaxTextLine, _options.DataTimeout);
            if (read is not { } line) return (-1, refusal, filter.Summary);

            // Only CR LF . CR LF ends the data: <LF>.<LF>, <CR>.<CR> and <LF>.<CR><LF> do not (SMTP smuggling).
            if (line.IsDataTerminator && previousEndedWithCrLf) return (size, refusal, filter.Summary);
            previousEndedWithCrLf = line.Ending == LineEnding.CrLf;

            if (refusal is null)
            {
                if (line.TooLong) refusal = SmtpReply.DataLineTooLong;
                else if (line.Ending == LineEnding.BareLf || line.Content.PositionOf((byte)'\r') is not null) refusal = SmtpReply.BareLineEndingInData;
            }

            var content = line.Content;
            // RFC 5321 4.5.2: a leading dot was doubled by the client.
            if (line.StartsLine && !content.IsEmpty && content.FirstSpan[0] == (byte)'.') content = content.Slice(1);
            size += content.Length + (line.Ending == LineEnding.None ? 0 : 2);
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
                    _logger.SpoolWriteFailed(ex);
                    refusal = SmtpReply.SpoolUnavailable;
                }
            }
        }
    }

    private void ResetTransaction()
    {
        _mailFrom = null;
        _recipients.Clear();
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
