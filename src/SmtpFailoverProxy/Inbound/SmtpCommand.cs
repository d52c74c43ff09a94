namespace SmtpFailoverProxy.Inbound;

/// <summary>A parsed command line: the verb and what follows it, without the line ending.</summary>
internal readonly record struct SmtpCommand(SmtpVerb Verb, string Argument);
