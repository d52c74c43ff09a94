using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Health;

/// <summary>
/// Watches the providers: every <c>Circuit:HealthCheckInterval</c> it asks those that can tell (SES
/// GetAccount) and opens a circuit before any mail fails when sending is disabled; every
/// <c>Circuit:CanaryCheckInterval</c> it runs the canary of each suspended circuit whose open period is over.
/// </summary>
internal sealed class ProviderHealthMonitor(
    IReadOnlyDictionary<string, ProviderRoute> routes,
    CanaryProbe canary,
    CircuitOptions options,
    TimeProvider timeProvider,
    ILogger<ProviderHealthMonitor> logger) : BackgroundService
{
    private long? _lastHealthCheck;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CanaryCheckInterval, timeProvider);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: health checks when due, then due canaries.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (_lastHealthCheck is not { } last || timeProvider.GetElapsedTime(last) >= options.HealthCheckInterval)
        {
            _lastHealthCheck = timeProvider.GetTimestamp();
            foreach (var route in routes.Values) await CheckHealthAsync(route, cancellationToken);
        }

        foreach (var route in routes.Values.Where(r => r.Circuit.CanaryDue))
        {
            var (passed, detail) = await canary.RunAsync(route, cancellationToken);
            logger.CanaryResult(route.Name, passed ? "passed" : "failed", detail);
            if (passed) route.Circuit.CanarySucceeded(detail);
            else route.Circuit.CanaryFailed(detail);
        }
    }

    private async Task CheckHealthAsync(ProviderRoute route, CancellationToken cancellationToken)
    {
        if (route.Provider is not IProviderHealthCheck check) return;
        var health = await check.CheckHealthAsync(cancellationToken);
        if (health is null) return;
        if (!health.CanSend)
        {
            var duration = health.Problem == OutcomeClass.ProviderMisconfigured ? options.MisconfiguredProbeInterval : options.SuspensionOpenDuration;
            route.Circuit.Open(health.Problem, duration, health.Detail);
        }
        foreach (var warning in health.Warnings) route.Circuit.Warn(warning);
    }
}
