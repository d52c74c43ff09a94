namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// The upstream broke the protocol (a reply that is not one, a line too long, the connection closed
/// mid-reply). The connection cannot be trusted any further; the message is tried again later.
/// </summary>
internal sealed class SmtpProtocolViolation(string message) : IOException(message);
