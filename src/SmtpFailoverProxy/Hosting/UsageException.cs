namespace SmtpFailoverProxy.Hosting;

/// <summary>A command line the program cannot run: the message says which option and why (exit code 64, EX_USAGE).</summary>
internal sealed class UsageException(string message) : Exception(message);
