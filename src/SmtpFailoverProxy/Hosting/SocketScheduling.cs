using System.Runtime.CompilerServices;

namespace SmtpFailoverProxy.Hosting;

/// <summary>
/// Where socket I/O hands over to our code. By default the runtime's socket engine posts every completion
/// from its epoll thread to the thread pool, and Kestrel then posts the connection's reads and writes
/// through its pipes again, so one SMTP command and its reply crossed three or four threads. With inline
/// completions (the runtime's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, one event thread per
/// core) and Kestrel's <c>UnsafePreferInlineScheduling</c>, a session's command is read, parsed, answered
/// and sent on the event thread that saw the data arrive. The price is that nothing there may block for
/// long, or every connection on that thread waits (but for the sync of the only session's message, which
/// holds no other session up: see <see cref="Spool.SpoolCommitter.CommitAsync"/>): the known slow work
/// moves to the thread pool (<see cref="LeaveEventThread"/>: password hashing, the steps of a TLS
/// handshake, and whatever a delivery does after its upstream answered that writes state files with
/// fsync: a circuit's change, a quota's count, a bounce or a deferral; a plain delivery through a closed
/// circuit only marks its slot free, and does so where the reply came in), and log events go to the
/// console from a background thread. A delivery starts on the session's event thread once its 250 is
/// out (<see cref="Delivery.DeliveryQueue"/>): the SMTP relay's first write is cheap and stays there,
/// an SES request (built, hashed and signed) and a mailbox folder's file writes move.
/// </summary>
internal static class SocketScheduling
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns on the runtime's inline socket completions unless the environment already says (<c>0</c> turns
    /// them off). Call first in <c>Main</c>: the runtime reads the variable once, when its first socket is made.
    /// </summary>
    public static void PreferInlineCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null) Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
    }

    /// <summary>
    /// Continues on the thread pool when called on any other thread (a socket event thread, with inline
    /// completions, or the spool's committing thread, which resumes a message committed alone):
    /// <c>await SocketScheduling.LeaveEventThread();</c> before work that may block.
    /// </summary>
    public static ThreadPoolAwaitable LeaveEventThread() => default;

    /// <summary>Completes at once on a thread-pool thread, else continues on the thread pool.</summary>
    internal readonly struct ThreadPoolAwaitable : ICriticalNotifyCompletion
    {
        public ThreadPoolAwaitable GetAwaiter() => this;

        public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
    }
}
