namespace SmtpFailoverProxy.Spool;

/// <summary>A message as its writer committed it: envelope, file (and its whole length) and bytes.</summary>
internal sealed record CommittedMessage(MessageEnvelope Envelope, string Path, long FileLength, byte[] Content);
