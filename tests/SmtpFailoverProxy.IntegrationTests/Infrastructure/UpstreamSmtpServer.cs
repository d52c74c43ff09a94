using System.Text.Json;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>
/// aiosmtpd (Debian's python3-aiosmtpd), an SMTP server that is not ours, standing in for Gmail.
/// Every message it accepts is a file pair in <see cref="Directory"/>.
/// </summary>
internal sealed class UpstreamSmtpServer : IDisposable
{
    private readonly ChildProcess _process;

    private UpstreamSmtpServer(ChildProcess process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }
    public string Directory { get; }

    /// <param name="extraArguments">More of upstream_smtp.py's options: <c>--tls-cert</c>, <c>--auth</c>, <c>--pipelining</c>...</param>
    public static async Task<UpstreamSmtpServer> StartAsync(int? port = null, string? rejectPattern = null, string? directory = null, string? deferPattern = null,
        IEnumerable<string>? extraArguments = null)
    {
        var p = port ?? TestPorts.GetFree();
        var dir = directory ?? RepositoryPaths.NewTempDirectory("upstream");
        var args = new List<string> { RepositoryPaths.Peer("upstream_smtp.py"), "--port", p.ToString(), "--dir", dir };
        if (rejectPattern is not null) args.AddRange(["--reject", rejectPattern]);
        if (deferPattern is not null) args.AddRange(["--defer", deferPattern]);
        if (extraArguments is not null) args.AddRange(extraArguments);
        // Debian's interpreter, where python3-aiosmtpd is installed (not a pyenv shim).
        var process = new ChildProcess("/usr/bin/python3", args);
        await Eventually.TrueAsync(() => process.Output.Contains("READY") || process.HasExited, "aiosmtpd to start");
        if (process.HasExited) throw new InvalidOperationException("aiosmtpd did not start:\n" + process.Output);
        return new UpstreamSmtpServer(process, p, dir);
    }

    public IReadOnlyList<ReceivedMessage> Messages =>
        System.IO.Directory.EnumerateFiles(Directory, "*.eml").Order().Select(eml =>
        {
            var envelope = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(eml, ".json"))).RootElement;
            return new ReceivedMessage(
                envelope.GetProperty("mail_from").GetString()!,
                envelope.GetProperty("rcpt_tos").EnumerateArray().Select(e => e.GetString()!).ToArray(),
                File.ReadAllBytes(eml))
            {
                Tls = envelope.GetProperty("tls").GetBoolean(),
                Authenticated = envelope.GetProperty("authenticated").GetBoolean(),
            };
        }).ToList();

    public void Dispose() => _process.Dispose();
}

/// <summary>A message as the upstream received it.</summary>
internal sealed record ReceivedMessage(string MailFrom, IReadOnlyList<string> Recipients, byte[] Content)
{
    /// <summary>The session was under TLS (STARTTLS or implicit).</summary>
    public bool Tls { get; init; }

    /// <summary>The session authenticated.</summary>
    public bool Authenticated { get; init; }

    public string Text => System.Text.Encoding.UTF8.GetString(Content);
}
