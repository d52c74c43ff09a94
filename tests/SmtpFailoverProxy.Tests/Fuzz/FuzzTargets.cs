using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Security;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Fuzz;

/// <summary>
/// What the fuzzer drives (bench/fuzz) and what the regression tests replay: arbitrary bytes through the
/// line reader, command parser, address parser and header filter, and through a whole SMTP session.
/// Any exception escaping here is a bug.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The parsers on every line of <paramref name="input"/>.</summary>
    public static void Parsers(byte[] input)
    {
        var pipe = new Pipe();
        pipe.Writer.Write(input);
        pipe.Writer.Complete();
        using var reader = new SmtpLineReader(pipe.Reader, TimeProvider.System, CancellationToken.None);
        var filter = new MessageHeaderFilter();
        while (reader.ReadLineAsync(512, TimeSpan.FromSeconds(5)).AsTask().GetAwaiter().GetResult() is { } line)
        {
            filter.ShouldWrite(line.Content);
            if (!SmtpCommandParser.TryParse(line.Content.ToArray(), out var command, out _)) continue;
            if (command.Verb == SmtpVerb.Mail) MailFromArguments.TryParse(command.Argument, out _, out _);
            if (command.Verb == SmtpVerb.Rcpt) MailFromArguments.TryParseRecipient(command.Argument, smtpUtf8: true, out _, out _);
        }
    }

    /// <summary>A whole session fed <paramref name="input"/> as the client's bytes; returns the server's replies.</summary>
    public static string Session(byte[] input, string spoolPath)
    {
        var time = new FakeTimeProvider();
        var toServer = new Pipe();
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        toServer.Writer.Write(input);
        toServer.Writer.Complete();
        var options = new SmtpOptions { Hostname = "fuzz.test", MaxMessageSize = 64 * 1024, MaxErrors = 1000 };
        using var queue = new DeliveryQueue(time);
        var session = new SmtpSession(new DuplexPipe(toServer.Reader, toClient.Writer), System.Net.IPAddress.Loopback, options,
            new MessageSpool(spoolPath, time), queue, new MailClassifier(new MailClassOptions()), new SmtpSecurityPolicy(options, time),
            implicitTls: false, time, NullLogger.Instance, CancellationToken.None, CancellationToken.None);
        session.RunAsync().GetAwaiter().GetResult();
        toClient.Writer.Complete();
        toClient.Reader.TryRead(out var replies);
        return Encoding.UTF8.GetString(replies.Buffer.ToArray());
    }
}
