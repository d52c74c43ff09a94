using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

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

    /// <summary>Runs the server side of a TLS 1.2+ handshake over the plain pipes and switches to the TLS pipes.</summary>
    public async Task UpgradeAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var stream = new DuplexPipeStream(_plain);
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
        }, cancellationToken);
        _tls = tls;
        Current = new DuplexPipe(PipeReader.Create(tls), PipeWriter.Create(tls));
    }

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null) await _tls.DisposeAsync();
    }


    /// <summary>A stream over a duplex pipe, for SslStream to run on.</summary>
    private sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
    {
        private readonly Stream _input = pipe.Input.AsStream(leaveOpen: true);
        private readonly Stream _output = pipe.Output.AsStream(leaveOpen: true);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _output.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);
        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);
        public override void Flush() => _output.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
