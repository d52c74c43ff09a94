using System.IO.Pipelines;
using SmtpFailoverProxy.Inbound;

namespace SmtpFailoverProxy.Tests.Inbound;

/// <summary>The stream a TLS handshake runs on: while asked, a read that a socket event thread completes goes on on the thread pool.</summary>
public sealed class DuplexPipeStreamTests
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
            var stream = new DuplexPipeStream(new DuplexPipe(input.Reader, new Pipe().Writer)) { ResumeOnThreadPool = resumeOnThreadPool };
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
}
