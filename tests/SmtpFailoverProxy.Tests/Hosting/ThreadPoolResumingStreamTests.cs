using System.Buffers;
using System.IO.Pipelines;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Hosting;

/// <summary>The stream a TLS handshake runs on (the listener's and the relay's): while asked, a read that a socket event thread completes goes on on the thread pool.</summary>
public sealed class ThreadPoolResumingStreamTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Read_completed_on_an_event_thread_goes_on_on_the_thread_pool_only_while_asked(bool resumeOnThreadPool)
    {
        // Off xunit's synchronization context, so that where the read completes is where it goes on.
        var (read, onPool, onEventThread) = await Task.Run<(int Read, bool OnPool, bool OnEventThread)>(async () =>
        {
            var input = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
            var stream = new ThreadPoolResumingStream(input.Reader.AsStream()) { ResumeOnThreadPool = resumeOnThreadPool };
            var buffer = new byte[16];
            var pending = stream.ReadAsync(buffer);
            Assert.False(pending.IsCompleted);
            var observed = GoesOnWhereAsync(pending); // Waiting before the data comes, so the read cannot complete first.

            // The stand-in for a socket event thread: the data arrives there and, inline, completes the read.
            var eventThread = new Thread(() => input.Writer.WriteAsync("hello"u8.ToArray()).AsTask().GetAwaiter().GetResult())
            {
                IsBackground = true,
                Name = "fake-event-thread",
            };
            eventThread.Start();

            var (read, onPool, thread) = await observed;
            return (read, onPool, thread == eventThread);
        }).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(5, read);
        Assert.Equal(resumeOnThreadPool, onPool);
        Assert.Equal(!resumeOnThreadPool, onEventThread);
    }

    /// <summary>Where the read went on, seen there: the event thread may have ended by the time the caller looks.</summary>
    private static async Task<(int Read, bool OnPool, Thread Thread)> GoesOnWhereAsync(ValueTask<int> read)
    {
        var count = await read;
        return (count, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread);
    }

    [Fact]
    public async Task Disposing_it_disposes_the_inner_stream()
    {
        var inner = new MemoryStream();
        await new ThreadPoolResumingStream(inner).DisposeAsync();
        Assert.False(inner.CanRead);

        var other = new MemoryStream();
        new ThreadPoolResumingStream(other).Dispose();
        Assert.False(other.CanRead);
    }

    [Fact]
    public async Task Writes_pass_through()
    {
        var inner = new MemoryStream();
        var stream = new ThreadPoolResumingStream(inner) { ResumeOnThreadPool = true };
        await stream.WriteAsync("hello"u8.ToArray());
        stream.Write(" world"u8);
        await stream.FlushAsync();
        Assert.Equal("hello world"u8.ToArray(), inner.ToArray());
    }

    [Fact]
    public async Task Over_a_duplex_pipe_it_reads_one_half_writes_the_other_and_leaves_both_open_when_disposed()
    {
        var incoming = new Pipe();
        var outgoing = new Pipe();
        var stream = ThreadPoolResumingStream.Over(new DuplexPipe(incoming.Reader, outgoing.Writer));

        await incoming.Writer.WriteAsync("hello"u8.ToArray());
        var buffer = new byte[16];
        Assert.Equal(5, await stream.ReadAsync(buffer));
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);

        await stream.WriteAsync("world"u8.ToArray());
        await stream.FlushAsync();
        var written = await outgoing.Reader.ReadAsync();
        Assert.Equal("world"u8.ToArray(), written.Buffer.ToArray());
        outgoing.Reader.AdvanceTo(written.Buffer.End);

        // The session goes on over the same pipes after a failed handshake, or over TLS pipes after one.
        await stream.DisposeAsync();
        await incoming.Writer.WriteAsync("more"u8.ToArray());
        Assert.True(incoming.Reader.TryRead(out var more));
        Assert.Equal("more"u8.ToArray(), more.Buffer.ToArray());
        await outgoing.Writer.WriteAsync("still"u8.ToArray());
        var after = await outgoing.Reader.ReadAsync();
        Assert.Equal("still"u8.ToArray(), after.Buffer.ToArray());
    }
}
