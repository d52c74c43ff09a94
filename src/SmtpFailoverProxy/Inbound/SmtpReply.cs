using System.Text;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// One SMTP reply: a three-digit code (RFC 5321 4.2), an enhanced status code (RFC 3463, advertised
/// as ENHANCEDSTATUSCODES, RFC 2034) and text lines. Every reply the session sends is one of these.
/// </summary>
/// <remarks>RFC 2034 3: the greeting and the replies to HELO/EHLO carry no enhanced code.</remarks>
internal sealed class SmtpReply
{
    /// <summary>Creates a single-line reply.</summary>
    public SmtpReply(int code, string? enhancedCode, string text)
        : this(code, enhancedCode, [text])
    {
    }

    /// <summary>Creates a reply of one or more lines.</summary>
    public SmtpReply(int code, string? enhancedCode, IReadOnlyList<string> lines)
    {
        if (code is < 200 or > 599) throw new ArgumentOutOfRangeException(nameof(code));
        if (lines.Count == 0) throw new ArgumentException("A reply has at least one line.", nameof(lines));
        Code = code;
        EnhancedCode = enhancedCode;
        Lines = lines;
    }

    public int Code { get; }
    public string? EnhancedCode { get; }
    public IReadOnlyList<string> Lines { get; }

    /// <summary>True for a 2xx or 3xx reply.</summary>
    public bool IsPositive => Code < 400;

    /// <summary>The first line of text, without the codes.</summary>
    public string Text => Lines[0];

    // RFC 5321 4.2.1: "250-first", ..., "250 last".
    public byte[] ToBytes()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            sb.Append(Code).Append(i == Lines.Count - 1 ? ' ' : '-');
            if (EnhancedCode is not null) sb.Append(EnhancedCode).Append(' ');
            sb.Append(Lines[i]).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public override string ToString() => EnhancedCode is null ? $"{Code} {Text}" : $"{Code} {EnhancedCode} {Text}";

    public static readonly SmtpReply Ok = new(250, "2.0.0", "OK");
    public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Sender OK");
    public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Recipient OK");
    public static readonly SmtpReply ResetOk = new(250, "2.0.0", "Reset state");
    public static readonly SmtpReply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpReply CannotVerify = new(252, "2.1.5", "Cannot VRFY user, but will accept message and attempt delivery");
    public static readonly SmtpReply Help = new(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY");

    public static readonly SmtpReply ShuttingDown = new(421, "4.3.2", "Service shutting down, closing transmission channel");
    public static readonly SmtpReply CommandTimeout = new(421, "4.4.2", "Timeout waiting for client input, closing connection");
    public static readonly SmtpReply TooManyConnections = new(421, "4.3.2", "Too many connections, try again later");
    public static readonly SmtpReply TooManyErrors = new(421, "4.7.0", "Too many errors, closing connection");
    public static readonly SmtpReply TooManyConnectionsFromClient = new(421, "4.7.0", "Too many connections from your address, try again later");
    public static readonly SmtpReply DataRateTooLow = new(421, "4.4.2", "Data rate too low, closing connection");
    public static readonly SmtpReply TooManyTransfers = new(451, "4.3.2", "Too many messages in transfer, try again later");
    public static readonly SmtpReply MessageRateExceeded = new(451, "4.7.0", "Message rate limit exceeded, try again later");
    public static readonly SmtpReply RecipientRateExceeded = new(452, "4.5.3", "Recipient rate limit exceeded, try again later");
    public static readonly SmtpReply NulInData = new(550, "5.6.0", "Message refused: NUL characters are not allowed (RFC 5322 2.3)");
    public static readonly SmtpReply HeaderTooLarge = new(552, "5.3.4", "Message header section too large");
    public static readonly SmtpReply SpoolUnavailable = new(451, "4.3.0", "Could not queue the message, try again later");
    public static readonly SmtpReply StorageFull = new(452, "4.3.1", "Insufficient system storage, try again later");
    public static readonly SmtpReply TooManyRecipients = new(452, "4.5.3", "Too many recipients");

    public static readonly SmtpReply ReadyToStartTls = new(220, "2.0.0", "Ready to start TLS");
    public static readonly SmtpReply AuthSucceeded = new(235, "2.7.0", "Authentication successful");
    public static readonly SmtpReply PipelinedStartTls = new(421, "4.7.0", "Data after STARTTLS refused, closing connection");
    public static readonly SmtpReply AuthTemporarilyBlocked = new(454, "4.7.0", "Too many failed authentications, try again later");
    public static readonly SmtpReply AuthCancelled = new(501, "5.0.0", "Authentication cancelled");
    public static readonly SmtpReply AuthBadEncoding = new(501, "5.5.2", "Cannot decode the AUTH response (base64)");
    public static readonly SmtpReply TlsAlreadyActive = new(503, "5.5.1", "TLS already active");
    public static readonly SmtpReply AlreadyAuthenticated = new(503, "5.5.1", "Already authenticated");
    public static readonly SmtpReply UnknownAuthMechanism = new(504, "5.5.4", "Unrecognized authentication type");
    public static readonly SmtpReply AuthenticationRequired = new(530, "5.7.0", "Authentication required");
    public static readonly SmtpReply AuthFailed = new(535, "5.7.8", "Authentication credentials invalid");
    public static readonly SmtpReply EncryptionRequired = new(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static readonly SmtpReply FromDomainNotAllowed = new(550, "5.7.1", "From header domain not allowed to relay through this host");
    public static readonly SmtpReply UnknownCommand = new(500, "5.5.1", "Command unrecognized");
    public static readonly SmtpReply LineTooLong = new(500, "5.5.2", "Line too long");
    public static readonly SmtpReply BareLineFeedInCommand = new(500, "5.5.2", "Command lines must end with <CR><LF>");
    public static readonly SmtpReply SyntaxError = new(501, "5.5.2", "Syntax error in parameters or arguments");
    public static readonly SmtpReply BadSenderSyntax = new(501, "5.1.7", "Bad sender address syntax");
    public static readonly SmtpReply BadRecipientSyntax = new(501, "5.1.3", "Bad recipient address syntax");
    public static readonly SmtpReply NotImplemented = new(502, "5.5.1", "Command not implemented");
    public static readonly SmtpReply BadSequence = new(503, "5.5.1", "Bad sequence of commands");
    public static readonly SmtpReply NeedHelo = new(503, "5.5.1", "Send EHLO or HELO first");
    public static readonly SmtpReply NestedMail = new(503, "5.5.1", "Sender already specified");
    public static readonly SmtpReply NeedMail = new(503, "5.5.1", "Need MAIL command first");
    public static readonly SmtpReply NeedRecipient = new(503, "5.5.1", "Need RCPT command first");
    public static readonly SmtpReply NoNullRecipient = new(550, "5.1.3", "The null address is not a valid recipient");
    public static readonly SmtpReply SenderDomainNotAllowed = new(550, "5.7.1", "Sender domain not allowed to relay through this host");
    public static readonly SmtpReply BareLineEndingInData = new(550, "5.6.0", "Message refused: bare <CR> or <LF> in data (RFC 5321 2.3.8)");
    public static readonly SmtpReply DataLineTooLong = new(550, "5.6.0", "Message refused: a line is longer than 1000 octets (RFC 5321 4.5.3.1.6)");
    public static readonly SmtpReply MessageTooLarge = new(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static readonly SmtpReply NonAsciiNeedsSmtpUtf8 = new(553, "5.6.7", "Non-ASCII address requires the SMTPUTF8 parameter");
    public static readonly SmtpReply UnsupportedParameter = new(555, "5.5.4", "Unsupported MAIL or RCPT parameter");

    public static SmtpReply Greeting(string hostname) => new(220, null, $"{hostname} ESMTP SmtpFailoverProxy ready");
    public static SmtpReply Closing(string hostname) => new(221, "2.0.0", $"{hostname} closing connection");
    public static SmtpReply HeloOk(string hostname, string clientName) => new(250, null, $"{hostname} greets {clientName}");
    public static SmtpReply Queued(string queueId) => new(250, "2.0.0", $"OK queued as {queueId}");
    public static SmtpReply MessageTooLargeFor(long maxSize) => new(552, "5.3.4", $"Message size exceeds fixed maximum message size of {maxSize} octets");
}
