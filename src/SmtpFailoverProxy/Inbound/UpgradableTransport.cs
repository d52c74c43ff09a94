using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Inbound;

/// <summary>
/// The session's one seam to its transport: plain pipes at first, pipes over an <see cref="SslStream"/>
/// after STARTTLS (RFC 3207) or from the start for implicit TLS.
/// </summary>
internal sealed class UpgradableTransport : IAsyncDisposable
{
    private readonly IDuplexPipe _plain;
    private SslStream? _tls;

    public UpgradableTransport(IDuplexPipe plain)
    {
        _plain = plain;
        Current = plain;
    }

    public IDuplexPipe Current { get; private set; }

    public bool IsSecure => _tls is not null;

    /// <summary>
    /// Runs the server side of a TLS 1.2+ handshake over the plain pipes and switches to the TLS pipes. The
    /// handshake runs on the thread pool, every step of it: its signature and key exchange take a
    /// millisecond or more of CPU each, which on a socket event thread every other session there would wait
    /// out (see <see cref="SocketScheduling"/>).
    /// </summary>
    public async Task UpgradeAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var stream = ThreadPoolResumingStream.Over(_plain);
        stream.ResumeOnThreadPool = true;
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        await SocketScheduling.LeaveEventThread(); // The client's hello may be here already, and read at once.
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
        }, cancellationToken);
        stream.ResumeOnThreadPool = false; // Records then cost a hop each; the session's own reads decide where it runs.
        _tls = tls;
        Current = new DuplexPipe(PipeReader.Create(tls), PipeWriter.Create(tls));
    }

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null) await _tls.DisposeAsync();
    }
}
