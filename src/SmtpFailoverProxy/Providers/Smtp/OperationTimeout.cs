namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>
/// The timeout of each network operation on one upstream connection, on the injected clock, linked to the
/// caller's token: <see cref="Restart"/> before each read or write gives the token to pass to it.
/// </summary>
internal sealed class OperationTimeout : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _link;

    public OperationTimeout(TimeSpan timeout, TimeProvider time, CancellationToken caller)
    {
        _timeout = timeout;
        _caller = caller;
        _source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _link = caller.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _source);
    }

    /// <summary>Cancelled when the caller cancels or when the current operation has run for the timeout.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Gives the next operation the whole timeout.</summary>
    public CancellationToken Restart()
    {
        _source.CancelAfter(_timeout);
        return _source.Token;
    }

    /// <summary>Whether a cancellation seen now came from the timeout rather than from the caller.</summary>
    public bool HasExpired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public void Dispose()
    {
        _link.Dispose();
        _source.Dispose();
    }
}
