using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// One connection to an upstream SMTP server, kept open for one mail transaction after another. Opening it
/// reads the greeting, says EHLO, secures it (STARTTLS, or TLS from the first byte) and authenticates.
/// With PIPELINING (RFC 2920) a transaction costs two round trips: MAIL, every RCPT and DATA in one
/// write, then the content and its final dot; one, when the next message's MAIL, RCPT and DATA go in the
/// same write as this one's final dot (see <see cref="SendAsync"/>).
/// </summary>
/// <remarks>
/// Failures before a transaction are <see cref="SmtpRelayException"/> (the server refused us) or
/// <see cref="IOException"/>/<see cref="SocketException"/> (no usable answer); a refusal within a
/// transaction is not thrown but returned, reply by reply, in <see cref="SmtpTransactionReplies"/>.
/// After any exception the connection is closed (<see cref="IsOpen"/> is false).
/// </remarks>
internal sealed class SmtpRelayConnection : IAsyncDisposable
{
    private readonly SmtpProviderOptions _options;
    private readonly string _localName;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _commands = new(1024);
    private Stream _stream;
    private SmtpReplyReader _replies;
    private SmtpServerCapabilities _capabilities = SmtpServerCapabilities.None;
    private DotStuffingStream? _content;

    private SmtpRelayConnection(SmtpProviderOptions options, string localName, TimeProvider time, Stream stream)
    {
        _options = options;
        _localName = localName;
        _time = time;
        _stream = stream;
        _replies = new SmtpReplyReader(stream);
    }

    /// <summary>False once the connection failed, the server said 421, or it was closed.</summary>
    public bool IsOpen { get; private set; } = true;

    /// <summary>Whether the last transaction got as far as sending message content (a retry elsewhere could then duplicate it).</summary>
    public bool ContentStarted { get; private set; }

    /// <summary>
    /// Whether the last transaction sent the next message's envelope after its content (the message
    /// <see cref="SendAsync"/>'s <c>takeFollower</c> gave): that message's replies come next on this connection.
    /// </summary>
    public bool FollowerSent { get; private set; }

    /// <summary>Connects, reads the greeting, says EHLO, secures and authenticates as the options say.</summary>
    public static async Task<SmtpRelayConnection> OpenAsync(SmtpProviderOptions options, string localName,
        RemoteCertificateValidationCallback? certificateValidation, TimeProvider time, OperationTimeout timeout)
    {
        // Nagle off: the final "." of DATA must not wait for the peer's delayed ACK (~40 ms a message).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.EffectivePort, timeout.Restart());
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Stream stream = new NetworkStream(socket, ownsSocket: true);
        var connection = new SmtpRelayConnection(options, localName, time, stream);
        try
        {
            if (options.Security == SmtpSecurity.Implicit) await connection.StartTlsAsync(certificateValidation, timeout);
            await connection.HandshakeAsync(certificateValidation, timeout);
            return connection;
        }
        catch (Exception ex)
        {
            // A server that refused us still hears QUIT; a broken or silent one is just closed.
            if (ex is not SmtpRelayException) connection.IsOpen = false;
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task HandshakeAsync(RemoteCertificateValidationCallback? certificateValidation, OperationTimeout timeout)
    {
        var greeting = await ReadAsync(timeout);
        if (greeting.Code != 220) throw SmtpRelayException.Refused(greeting);
        await HelloAsync(timeout);
        if (_options.Security == SmtpSecurity.StartTls)
        {
            if (!_capabilities.StartTls)
            {
                throw SmtpRelayException.Misconfigured($"{_options.Host}:{_options.EffectivePort} does not offer STARTTLS, and Security is StartTls");
            }

            var ready = await CommandAsync("STARTTLS", timeout);
            if (ready.Code != 220) throw SmtpRelayException.Refused(ready);
            // RFC 3207 4.2: forget everything learned before TLS, and say EHLO again.
            await StartTlsAsync(certificateValidation, timeout);
            await HelloAsync(timeout);
        }

        await AuthenticateAsync(timeout);
    }

    private async Task HelloAsync(OperationTimeout timeout)
    {
        var ehlo = await CommandAsync($"EHLO {_localName}", timeout);
        if (ehlo.IsPositive)
        {
            _capabilities = SmtpServerCapabilities.Parse(ehlo);
            return;
        }

        // RFC 5321 3.2: a server that does not know EHLO gets HELO (and no extensions are used).
        if (ehlo.Code is not (500 or 502)) throw SmtpRelayException.Refused(ehlo);
        var helo = await CommandAsync($"HELO {_localName}", timeout);
        if (!helo.IsPositive) throw SmtpRelayException.Refused(helo);
        _capabilities = SmtpServerCapabilities.None;
    }

    private async Task StartTlsAsync(RemoteCertificateValidationCallback? certificateValidation, OperationTimeout timeout)
    {
        if (_replies.HasBufferedBytes) throw new SmtpProtocolViolation("The upstream sent data before the TLS handshake");
        // Every step of the handshake on the thread pool, as the listener's (see ThreadPoolResumingStream):
        // the server's answers arrive on a socket event thread, which sessions share.
        var network = new ThreadPoolResumingStream(_stream) { ResumeOnThreadPool = true };
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        _stream = tls;
        await SocketScheduling.LeaveEventThread(); // The 220 to STARTTLS came in on one.
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _options.Host,
            RemoteCertificateValidationCallback = certificateValidation,
        }, timeout.Restart());
        network.ResumeOnThreadPool = false;
        _replies = new SmtpReplyReader(tls);
    }

    private async Task AuthenticateAsync(OperationTimeout timeout)
    {
        if (!string.IsNullOrEmpty(_options.OAuth2Token))
        {
            RequireMechanism("XOAUTH2");
            var reply = await CommandAsync("AUTH XOAUTH2 " + SaslInitialResponse.XOAuth2(_options.Username ?? string.Empty, _options.OAuth2Token), timeout);
            // Google's XOAUTH2: a failure comes as a 334 challenge holding the error; an empty line gets the final reply.
            if (reply.Code == 334) reply = await CommandAsync(string.Empty, timeout);
            if (reply.Code != 235) throw SmtpRelayException.Refused(reply);
            return;
        }

        if (string.IsNullOrEmpty(_options.Username)) return;
        var password = _options.Password ?? string.Empty;
        if (_capabilities.AuthMechanisms.Contains("PLAIN"))
        {
            var reply = await CommandAsync("AUTH PLAIN " + SaslInitialResponse.Plain(_options.Username, password), timeout);
            if (reply.Code != 235) throw SmtpRelayException.Refused(reply);
            return;
        }

        RequireMechanism("LOGIN");
        var step = await CommandAsync("AUTH LOGIN", timeout);
        if (step.Code == 334) step = await CommandAsync(SaslInitialResponse.Login(_options.Username), timeout);
        if (step.Code == 334) step = await CommandAsync(SaslInitialResponse.Login(password), timeout);
        if (step.Code != 235) throw SmtpRelayException.Refused(step);
    }

    private void RequireMechanism(string mechanism)
    {
        if (_capabilities.AuthMechanisms.Contains(mechanism)) return;
        var offered = _capabilities.AuthMechanisms.Count == 0 ? "no AUTH" : "AUTH " + string.Join(' ', _capabilities.AuthMechanisms.Order());
        var wanted = mechanism == "XOAUTH2" ? "XOAUTH2 (for OAuth2Token)" : "PLAIN or LOGIN (for Username and Password)";
        throw SmtpRelayException.Misconfigured($"{_options.Host}:{_options.EffectivePort} offers {offered}; the relay needs {wanted}");
    }

    /// <summary>
    /// One mail transaction: the envelope, then the content written by <paramref name="writeContent"/> to a
    /// stream that dot-stuffs it. Recipients go in one transaction; each one's reply is returned.
    /// </summary>
    /// <param name="message">The envelope and the bytes' size; local refusals (see <see cref="Refusal"/>) are checked first.</param>
    /// <param name="writeContent">Writes the message bytes to the stream it is given.</param>
    /// <param name="timeout">Each read and write gets the whole timeout.</param>
    /// <param name="envelopeSent">The previous transaction on this connection already sent this message's envelope (<see cref="FollowerSent"/>).</param>
    /// <param name="takeFollower">
    /// Asked once the content is written, with PIPELINING only: the next message, if one waits, whose
    /// envelope then goes in the same write as the final dot (RFC 2920 3.1).
    /// </param>
    public async Task<SmtpTransactionReplies> SendAsync(OutboundMessage message, Func<Stream, CancellationToken, Task> writeContent, OperationTimeout timeout,
        bool envelopeSent = false, Func<OutboundMessage?>? takeFollower = null)
    {
        ContentStarted = false;
        FollowerSent = false;
        if (!envelopeSent && Refusal(message) is { } refusal) return new SmtpTransactionReplies(refusal, [], null);

        try
        {
            return _capabilities.Pipelining
                ? await SendPipelinedAsync(message, writeContent, timeout, envelopeSent, takeFollower)
                : await SendStepByStepAsync(message, writeContent, timeout);
        }
        catch
        {
            IsOpen = false;
            throw;
        }
    }

    /// <summary>What is refused here, before anything is sent: null when the message may go.</summary>
    private SmtpServerReply? Refusal(OutboundMessage message)
    {
        if (HasControlCharacter(message.Sender) || message.Recipients.Any(HasControlCharacter))
        {
            // The inbound grammar never lets one through; a configured address (the canary's) might. A CR LF
            // here would smuggle commands into the upstream session.
            return new SmtpServerReply(501, ["5.1.3 An address holds a control character; not sent"]);
        }

        if (_capabilities.MaxSize > 0 && message.Size > _capabilities.MaxSize)
        {
            return new SmtpServerReply(552, [$"5.3.4 The message ({message.Size} bytes) is larger than the upstream's SIZE limit ({_capabilities.MaxSize} bytes)"]);
        }

        return null;
    }

    private async Task<SmtpTransactionReplies> SendPipelinedAsync(OutboundMessage message, Func<Stream, CancellationToken, Task> writeContent, OperationTimeout timeout,
        bool envelopeSent, Func<OutboundMessage?>? takeFollower)
    {
        // RFC 2920 3.1: DATA ends the group; its reply is awaited before the content goes.
        if (!envelopeSent)
        {
            AppendEnvelope(message);
            await FlushCommandsAsync(timeout);
        }

        var mail = await ReadAsync(timeout);
        if (!IsOpen) return Closing(mail);
        var recipients = new SmtpServerReply[message.Recipients.Count];
        var accepted = 0;
        for (var i = 0; i < recipients.Length; i++)
        {
            recipients[i] = await ReadAsync(timeout);
            if (!IsOpen) return Closing(recipients[i]);
            if (recipients[i].IsPositive) accepted++;
        }

        var data = await ReadAsync(timeout);
        if (!IsOpen) return Closing(data);
        if (data.Code != 354)
        {
            await ResetAsync(timeout);
            return new SmtpTransactionReplies(mail, recipients, mail.IsPositive && accepted > 0 ? data : null);
        }

        if (!mail.IsPositive || accepted == 0)
        {
            // RFC 2920 3.1 says the server must refuse DATA here; one that did not gets an empty message to end it.
            Append(".");
            await FlushCommandsAsync(timeout);
            await ReadAsync(timeout);
            await ResetAsync(timeout);
            return new SmtpTransactionReplies(mail, recipients, null);
        }

        return new SmtpTransactionReplies(mail, recipients, await SendContentAsync(writeContent, timeout, takeFollower));
    }

    private async Task<SmtpTransactionReplies> SendStepByStepAsync(OutboundMessage message, Func<Stream, CancellationToken, Task> writeContent, OperationTimeout timeout)
    {
        AppendMailFrom(message);
        await FlushCommandsAsync(timeout);
        var mail = await ReadAsync(timeout);
        if (!IsOpen) return Closing(mail);
        if (!mail.IsPositive)
        {
            await ResetAsync(timeout);
            return new SmtpTransactionReplies(mail, [], null);
        }

        var recipients = new SmtpServerReply[message.Recipients.Count];
        var accepted = 0;
        for (var i = 0; i < recipients.Length; i++)
        {
            AppendRecipient(message.Recipients[i]);
            await FlushCommandsAsync(timeout);
            recipients[i] = await ReadAsync(timeout);
            if (!IsOpen) return Closing(recipients[i]);
            if (recipients[i].IsPositive) accepted++;
        }

        if (accepted == 0)
        {
            await ResetAsync(timeout);
            return new SmtpTransactionReplies(mail, recipients, null);
        }

        var data = await CommandAsync("DATA", timeout);
        if (!IsOpen) return Closing(data);
        if (data.Code != 354)
        {
            await ResetAsync(timeout);
            return new SmtpTransactionReplies(mail, recipients, data);
        }

        return new SmtpTransactionReplies(mail, recipients, await SendContentAsync(writeContent, timeout));
    }

    private static bool HasControlCharacter(string address) => address.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || address.Contains('\u007f');

    /// <summary>The server said 421 and is closing (RFC 5321 3.8): no more replies come, and that one decides for every recipient.</summary>
    private static SmtpTransactionReplies Closing(SmtpServerReply reply) => new(reply, [], null);

    private async Task<SmtpServerReply> SendContentAsync(Func<Stream, CancellationToken, Task> writeContent, OperationTimeout timeout, Func<OutboundMessage?>? takeFollower = null)
    {
        ContentStarted = true;
        // After any STARTTLS, so over the final stream; its 64 KB buffer serves every message of the connection.
        _content ??= new DotStuffingStream(_stream);
        _content.Begin(() => timeout.Restart());
        await writeContent(_content, timeout.Token);
        // A follower refused here (see Refusal) is not sent: its own transaction will say so.
        if (takeFollower?.Invoke() is { } follower && Refusal(follower) is null)
        {
            AppendEnvelope(follower);
            FollowerSent = true;
        }

        await _content.CompleteAsync(_commands.WrittenMemory, timeout.Token);
        _commands.ResetWrittenCount();
        return await ReadAsync(timeout);
    }

    /// <summary>RSET after a transaction that did not end with the content: the next one starts clean.</summary>
    private async Task ResetAsync(OperationTimeout timeout)
    {
        if (!IsOpen) return;
        var reply = await CommandAsync("RSET", timeout);
        if (!reply.IsPositive) IsOpen = false;
    }

    /// <summary>MAIL, every RCPT, DATA: the pipelined group of one message.</summary>
    private void AppendEnvelope(OutboundMessage message)
    {
        AppendMailFrom(message);
        foreach (var recipient in message.Recipients) AppendRecipient(recipient);
        Append("DATA");
    }

    private void AppendMailFrom(OutboundMessage message)
    {
        Write("MAIL FROM:<");
        Write(message.Sender);
        Write(">");
        if (_capabilities.Size)
        {
            Write(" SIZE=");
            Write(message.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (message.EightBitMime && _capabilities.EightBitMime) Write(" BODY=8BITMIME");
        if (message.SmtpUtf8 && _capabilities.SmtpUtf8) Write(" SMTPUTF8");
        Write("\r\n");
    }

    private void AppendRecipient(string recipient)
    {
        Write("RCPT TO:<");
        Write(recipient);
        Write(">\r\n");
    }

    private void Append(string command)
    {
        Write(command);
        Write("\r\n");
    }

    // Addresses may be UTF-8 under SMTPUTF8 (RFC 6531); everything else is ASCII.
    private void Write(string text) => Encoding.UTF8.GetBytes(text, _commands);

    private async Task FlushCommandsAsync(OperationTimeout timeout)
    {
        await _stream.WriteAsync(_commands.WrittenMemory, timeout.Restart());
        _commands.ResetWrittenCount();
    }

    private async Task<SmtpServerReply> CommandAsync(string command, OperationTimeout timeout)
    {
        Append(command);
        await FlushCommandsAsync(timeout);
        return await ReadAsync(timeout);
    }

    private async Task<SmtpServerReply> ReadAsync(OperationTimeout timeout)
    {
        var reply = await _replies.ReadAsync(timeout.Restart());
        // RFC 5321 3.8: 421 means the server is closing the connection.
        if (reply.Code == 421) IsOpen = false;
        return reply;
    }

    /// <summary>QUIT (briefly waiting for its reply), then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (IsOpen)
        {
            IsOpen = false;
            try
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
                Append("QUIT");
                await _stream.WriteAsync(_commands.WrittenMemory, quit.Token);
                await _replies.ReadAsync(quit.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing anyway.
            }
        }

        await _stream.DisposeAsync();
    }
}
