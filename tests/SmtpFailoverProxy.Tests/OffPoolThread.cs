namespace SmtpFailoverProxy.Tests;

/// <summary>Starts async work on a thread of its own, not one of the pool's: a stand-in for a socket event thread.</summary>
internal static class OffPoolThread
{
    public static Task<T> Start<T>(Func<Task<T>> work)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => started.SetResult(work())) { IsBackground = true };
        thread.Start();
        return started.Task.Unwrap();
    }

    public static Task Start(Func<Task> work) => Start(async () =>
    {
        await work();
        return true;
    });
}
