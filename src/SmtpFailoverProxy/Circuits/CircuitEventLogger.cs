using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Logging;

namespace SmtpFailoverProxy.Circuits;

/// <summary>Writes every circuit transition to the log, in order (alerts will read the same bus).</summary>
internal sealed class CircuitEventLogger(CircuitEventBus bus, ILogger<CircuitEventLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in bus.Reader.ReadAllAsync(stoppingToken))
            {
                var s = e.Snapshot;
                logger.CircuitTransition(s.Provider, e.Kind, s.State.ToString(), s.Reason?.ToString(), s.OpenUntil, s.Detail);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
