using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Security;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// Kestrel's entry point for the SMTP listener: admits the connection (or answers 421 when too many are
/// open) and runs an <see cref="SmtpSession"/> on its pipes. Transport stays here; protocol stays in the session.
/// </summary>
internal sealed class SmtpConnectionHandler(
    SmtpOptions options,
    MessageSpool spool,
    DeliveryQueue deliveryQueue,
    MailClassifier classifier,
    SmtpSecurityPolicy security,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<SmtpSession> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var remoteName = remote?.ToString() ?? "unknown";
        var counted = false;
        try
        {
            if (security.Limits.StartSession() > options.MaxConnections)
            {
                logger.ConnectionLimitReached(remoteName, options.MaxConnections);
                await connection.Transport.Output.WriteAsync(SmtpReply.TooManyConnections.ToBytes());
                return;
            }

            counted = security.Limits.TryOpenConnection(remote);
            if (!counted)
            {
                logger.ConnectionLimitReached(remoteName, options.MaxConnectionsPerClient);
                await connection.Transport.Output.WriteAsync(SmtpReply.TooManyConnectionsFromClient.ToBytes());
                return;
            }

            using var scope = logger.BeginScope(new Dictionary<string, object> { ["ConnectionId"] = connection.ConnectionId, ["RemoteAddress"] = remoteName });
            logger.ConnectionOpened(remoteName);
            var implicitTls = options.ImplicitTlsEndPoint is { } tlsEndPoint && (connection.LocalEndPoint as IPEndPoint)?.Port == tlsEndPoint.Port;
            var session = new SmtpSession(connection.Transport, remote, options, spool, deliveryQueue, classifier, security, implicitTls, timeProvider, logger,
                lifetime.ApplicationStopping, connection.ConnectionClosed);
            await session.RunAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.SessionFailed(ex, remoteName);
        }
        finally
        {
            if (counted) security.Limits.CloseConnection(remote);
            security.Limits.EndSession();
        }
    }
}
