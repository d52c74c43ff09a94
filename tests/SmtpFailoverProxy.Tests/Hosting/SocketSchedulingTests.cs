using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Tests.Hosting;

public sealed class SocketSchedulingTests
{
    [Fact]
    public async Task Leaving_an_event_thread_continues_on_the_thread_pool()
    {
        var threads = new TaskCompletionSource<(bool Before, bool After)>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A thread of our own stands in for a socket event thread: not one of the pool's.
        var thread = new Thread(() => _ = ContinueAsync(threads)) { IsBackground = true };
        thread.Start();

        var (before, after) = await threads.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(before);
        Assert.True(after);
    }

    [Fact]
    public async Task On_a_pool_thread_it_goes_on_at_once()
    {
        var (before, after) = await Task.Run(async () =>
        {
            var thread = Environment.CurrentManagedThreadId;
            await SocketScheduling.LeaveEventThread();
            return (thread, Environment.CurrentManagedThreadId);
        });

        Assert.Equal(before, after);
    }

    [Fact]
    public void Inline_completions_are_turned_on_unless_the_environment_already_says()
    {
        var original = Environment.GetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable);
        try
        {
            Environment.SetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable, "0");
            SocketScheduling.PreferInlineCompletions();
            Assert.Equal("0", Environment.GetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable));

            Environment.SetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable, null);
            SocketScheduling.PreferInlineCompletions();
            Assert.Equal("1", Environment.GetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable, original);
        }
    }

    private static async Task ContinueAsync(TaskCompletionSource<(bool Before, bool After)> threads)
    {
        var before = Thread.CurrentThread.IsThreadPoolThread;
        await SocketScheduling.LeaveEventThread();
        threads.SetResult((before, Thread.CurrentThread.IsThreadPoolThread));
    }
}
