using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Sandbox;

// smtp-proxy [run] [--config PATH] [--Section:Key=value ...]
// smtp-proxy ses-sandbox [--port 4566] [--SesSandbox:Key=value ...]
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
var rest = args.Length > 0 && args[0] == verb ? args[1..] : args;

try
{
    switch (verb)
    {
        case "run":
            await using (var app = ProxyApplication.Build(rest))
            {
                await app.RunAsync();
            }

            return 0;
        case "ses-sandbox":
            await using (var sandbox = SesSandboxApplication.Build(rest))
            {
                await sandbox.RunAsync();
            }

            return 0;
        default:
            Console.Error.WriteLine($"smtp-proxy: unknown command '{verb}'. Usage: smtp-proxy [run|ses-sandbox] [--config PATH] [--Section:Key=value ...]");
            return 64; // EX_USAGE
    }
}
catch (ConfigurationException ex)
{
    Console.Error.WriteLine($"smtp-proxy: configuration error: {ex.Message}");
    return 78; // EX_CONFIG
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"smtp-proxy: cannot listen: {ex.Message}");
    return 71; // EX_OSERR
}
