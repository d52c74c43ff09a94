using System.IO.Pipelines;

namespace SmtpFailoverProxy.Hosting;

/// <summary>
/// A stream for a TLS handshake to run on, reading from <c>input</c> and writing to <c>output</c> (one
/// stream for both, as a socket's; or a duplex pipe's two halves, <see cref="Over"/>). While
/// <see cref="ResumeOnThreadPool"/> is on, a read that completes on a thread not the pool's (a socket event
/// thread, see <see cref="SocketScheduling"/>) goes on on the thread pool, so the handshake's next step
/// (signature, key exchange, the peer's certificate checked: a millisecond or more of CPU) holds up no
/// other connection of that thread. Writes, and reads once it is off, pass straight through. Disposing it
/// disposes <c>input</c> and <c>output</c>.
/// </summary>
internal sealed class ThreadPoolResumingStream(Stream input, Stream output) : Stream
{
    /// <summary>Reads from and writes to <paramref name="inner"/>.</summary>
    public ThreadPoolResumingStream(Stream inner)
        : this(inner, inner)
    {
    }

    /// <summary>Over a duplex pipe (a Kestrel connection's transport); disposing the stream leaves the pipe open.</summary>
    public static ThreadPoolResumingStream Over(IDuplexPipe pipe) => new(pipe.Input.AsStream(leaveOpen: true), pipe.Output.AsStream(leaveOpen: true));

    /// <summary>On for the handshake; off after it, when every TLS record would cost a hop.</summary>
    public bool ResumeOnThreadPool { get; set; }

    public override bool CanRead => input.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => output.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ResumeOnThreadPool ? ReadOnThreadPoolAsync(buffer, cancellationToken) : input.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => output.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
    public override void Flush() => output.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            input.Dispose();
            if (!ReferenceEquals(output, input)) output.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await input.DisposeAsync();
        if (!ReferenceEquals(output, input)) await output.DisposeAsync();
        await base.DisposeAsync();
    }

    private async ValueTask<int> ReadOnThreadPoolAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await input.ReadAsync(buffer, cancellationToken);
        await SocketScheduling.LeaveEventThread();
        return read;
    }
}
