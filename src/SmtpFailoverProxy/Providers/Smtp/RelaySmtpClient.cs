using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// MailKit's client as a relay: it sends the bytes it is given (no re-encoding) and records refused
/// recipients instead of abandoning the whole transaction at the first one.
/// </summary>
internal sealed class RelaySmtpClient(IProtocolLogger protocolLogger) : SmtpClient(protocolLogger)
{
    /// <summary>Recipients refused in the last transaction, with the server's reply.</summary>
    public List<(string Recipient, SmtpResponse Response)> RefusedRecipients { get; } = [];

    // Relay the bytes we received: MailKit's default may re-encode parts to suit the server.
    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        RefusedRecipients.Add((mailbox.Address, response));
}
