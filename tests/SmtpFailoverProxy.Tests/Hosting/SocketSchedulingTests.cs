using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Tests.Hosting;

public sealed class SocketSchedulingTests
{
    [Fact]
    public async Task Leaving_an_event_thread_continues_on_the_thread_pool()
    {
        var (before, after) = await OffPoolThread.Start(async () =>
        {
            var before = Thread.CurrentThread.IsThreadPoolThread;
            await SocketScheduling.LeaveEventThread();
            return (before, Thread.CurrentThread.IsThreadPoolThread);
        }).WaitAsync(TimeSpan.FromSeconds(10));
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
}
