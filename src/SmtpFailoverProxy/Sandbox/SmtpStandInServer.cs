using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Mailbox;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// A local stand-in for smtp.gmail.com: our own SMTP server on plain sockets, which saves every message
/// it accepts as ID.eml (exact bytes) and ID.json (envelope) in a folder. Built from the same parts as
/// the proxy: the session, a spool, and the mailbox provider.
/// </summary>
internal sealed class SmtpStandInServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly MessageSpool _spool;
    private readonly DeliveryQueue _queue;
    private readonly MailboxProvider _mailbox;
    private readonly SmtpOptions _options;
    private readonly Security.SmtpSecurityPolicy _security;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Task _saving;

    public SmtpStandInServer(IPEndPoint endPoint, string folder, ILogger logger)
    {
        _options = new SmtpOptions { Hostname = "gmail-stand-in.local", MaxMessageSize = 64 * 1024 * 1024 };
        _security = new Security.SmtpSecurityPolicy(_options, TimeProvider.System);
        _spool = new MessageSpool(Path.Combine(folder, ".spool"), TimeProvider.System);
        _queue = new DeliveryQueue(TimeProvider.System);
        _mailbox = new MailboxProvider("gmail-stand-in", new MailboxProviderOptions { Path = folder });
        _logger = logger;
        _listener = new TcpListener(endPoint);
        _listener.Start();
        foreach (var id in _spool.ListQueued()) _queue.Enqueue(id);
        _accepting = AcceptAsync();
        _saving = SaveAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var pipe = new DuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
        var session = new SmtpSession(pipe, (socket.RemoteEndPoint as IPEndPoint)?.Address, _options, _spool, _queue,
            new MailClassifier(new MailClassOptions()), _security, implicitTls: false, TimeProvider.System, _logger, _stop.Token, CancellationToken.None);
        await session.RunAsync();
    }

    /// <summary>Moves each accepted message from the stand-in's spool into the folder as .eml.</summary>
    private async Task SaveAsync()
    {
        try
        {
            await foreach (var id in _queue.Ready.ReadAllAsync(_stop.Token))
            {
                _queue.Taken(id);
                if (_spool.Load(id) is not { } message) continue;
                var result = await _mailbox.SendAsync(message.ToOutbound(), _stop.Token);
                if (result.Class == OutcomeClass.Delivered) _spool.Remove(message);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAll(_accepting, _saving);
        _queue.Dispose();
        _stop.Dispose();
    }
}
