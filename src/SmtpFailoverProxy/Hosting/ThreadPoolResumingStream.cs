namespace SmtpFailoverProxy.Hosting;

/// <summary>
/// A stream for a TLS handshake to run on: while <see cref="ResumeOnThreadPool"/> is on, a read that
/// completes on a thread not the pool's (a socket event thread, see <see cref="SocketScheduling"/>) goes on
/// on the thread pool, so the handshake's next step (signature, key exchange, the peer's certificate
/// checked: a millisecond or more of CPU) holds up no other connection of that thread. Writes, and reads
/// once it is off, pass straight through. Disposing it disposes <c>inner</c>.
/// </summary>
internal sealed class ThreadPoolResumingStream(Stream inner) : Stream
{
    /// <summary>On for the handshake; off after it, when every TLS record would cost a hop.</summary>
    public bool ResumeOnThreadPool { get; set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ResumeOnThreadPool ? ReadOnThreadPoolAsync(buffer, cancellationToken) : inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private async ValueTask<int> ReadOnThreadPoolAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        await SocketScheduling.LeaveEventThread();
        return read;
    }
}
