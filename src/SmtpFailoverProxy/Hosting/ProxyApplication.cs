using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;
using Microsoft.Extensions.Logging;
using SmtpFailoverProxy.Admin;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Health;
using SmtpFailoverProxy.Logging;
using SmtpFailoverProxy.State;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Security;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Hosting;

/// <summary>
/// The composition root: inbound SMTP -> spool -> delivery -> routing -> providers, plus the admin API.
/// </summary>
internal static class ProxyApplication
{
    public static WebApplication Build(IReadOnlyList<string> args)
    {
        var builder = WebApplication.CreateSlimBuilder(WebHostOptions.Create());
        builder.Configuration.Sources.Clear();
        ProxyConfiguration.AddSources(builder.Configuration, args);
        var settings = ProxySettings.Load(builder.Configuration);

        builder.Host.UseSystemd();
        builder.Services.AddSerilog((_, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            // Written from a background thread, so a slow console (a throttled journal, a full pipe) never
            // holds a socket event thread; when 10,000 events wait, the logger waits too rather than drop any.
            .WriteTo.Async(sink => sink.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}"), blockWhenFull: true)
            .ReadFrom.Configuration(builder.Configuration));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings.Smtp);
        services.AddSingleton(settings.Spool);
        services.AddSingleton(SpoolLock.Acquire(settings.Spool.Path)); // before anything touches the spool; released on dispose
        services.AddSingleton(sp => new MessageSpool(settings.Spool.Path, sp.GetRequiredService<TimeProvider>(), settings.Spool.SyncMode, settings.Spool.RecycleBytes,
            settings.Spool.EffectiveMinFreeBytes(settings.Smtp.MaxMessageSize)));
        services.AddSingleton<DeliveryQueue>();
        services.AddSingleton(new RetrySchedule(settings.Spool));
        services.AddSingleton(sp => new DsnBuilder(settings.Smtp.Hostname, sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient("ses").ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 32,
        });
        services.AddSingleton<IStateStore>(new FileStateStore(settings.State.Path));
        services.AddSingleton<CircuitEventBus>();
        services.AddSingleton(settings.Circuit);
        services.AddSingleton(new MailClassifier(settings.MailClasses));
        services.AddSingleton(sp => new SmtpSecurityPolicy(settings.Smtp, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var policy = new RoutingPolicy(settings.Routing, builder.Configuration);
            var logger = sp.GetRequiredService<ILogger<RoutingPolicy>>();
            policy.Changed += change => logger.RoutingChanged(change);
            return policy;
        });
        services.AddSingleton(sp => ProviderFactory.CreateRoutes(settings, sp));
        services.AddSingleton<IDeliveryRouter, FailoverRouter>();
        services.AddSingleton(sp => new CanaryProbe(settings.Circuit, settings.Smtp.Hostname, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<CircuitEventLogger>();
        services.AddHostedService<ProviderHealthMonitor>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddSingleton<MessageDeliverer>();
        services.AddHostedService<DeliveryWorker>();

        // A session runs on the thread that saw its data arrive, with no hop through the thread pool
        // between the socket, the pipes and the session (see SocketScheduling).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.Smtp.ListenEndPoint, listen => listen.UseConnectionHandler<SmtpConnectionHandler>());
            if (settings.Smtp.ImplicitTlsEndPoint is { } implicitTls)
            {
                kestrel.Listen(implicitTls, listen => listen.UseConnectionHandler<SmtpConnectionHandler>());
            }

            kestrel.Listen(settings.Admin.ListenEndPoint);
        });

        var app = builder.Build();
        AdminEndpoints.Map(app);
        return app;
    }
}
