using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;
using SmtpFailoverProxy.Admin;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Delivery;
using SmtpFailoverProxy.Inbound;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Routing;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Hosting;

/// <summary>
/// The composition root: inbound SMTP -> spool -> delivery -> routing -> providers, plus the admin API.
/// </summary>
internal static class ProxyApplication
{
    public static WebApplication Build(IReadOnlyList<string> args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.Sources.Clear();
        ProxyConfiguration.AddSources(builder.Configuration, args);
        var settings = ProxySettings.Load(builder.Configuration);

        builder.Host.UseSystemd();
        builder.Services.AddSerilog((_, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}")
            .ReadFrom.Configuration(builder.Configuration));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings.Smtp);
        services.AddSingleton(settings.Spool);
        services.AddSingleton(sp => new MessageSpool(settings.Spool.Path, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DeliveryQueue>();
        services.AddSingleton(new RetrySchedule(settings.Spool));
        services.AddSingleton(sp => new DsnBuilder(settings.Smtp.Hostname, sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient("ses").ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 32,
        });
        services.AddSingleton<IReadOnlyList<IEmailProvider>>(sp => ProviderFactory.Create(settings, sp));
        services.AddSingleton<IDeliveryRouter>(sp => new PrimaryProviderRouter(sp.GetRequiredService<IReadOnlyList<IEmailProvider>>()));
        services.AddSingleton<MessageDeliverer>();
        services.AddHostedService<DeliveryWorker>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.Smtp.ListenEndPoint, listen => listen.UseConnectionHandler<SmtpConnectionHandler>());
            kestrel.Listen(settings.Admin.ListenEndPoint);
        });

        var app = builder.Build();
        AdminEndpoints.Map(app, app.Services.GetRequiredService<IReadOnlyList<IEmailProvider>>());
        return app;
    }
}
