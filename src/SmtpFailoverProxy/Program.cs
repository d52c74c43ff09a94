using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Sandbox;

// smtp-proxy [run] [--config PATH] [--Section:Key=value ...]
// smtp-proxy ses-sandbox [--port 4566] [--SesSandbox:Key=value ...]
// smtp-proxy sandbox [--smtp-port 2525] [--admin-port 8025] [--ses-port 4566] [--gmail-port 2526] [--folder ./sandbox] [--Section:Key=value ...]
//                                                    proxy + SES sandbox + Gmail stand-in on loopback
// smtp-proxy demo                                    a narrated failover and recovery, ~20 s
// smtp-proxy admin status|primary NAME|isolate NAME|reset NAME [--admin URL]
// smtp-proxy hash-password < password                  a hash for Smtp:Users:NAME
SocketScheduling.PreferInlineCompletions(); // before any socket exists
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
        case "sandbox":
            var line = SandboxCommandLine.Parse(rest);
            var ports = line.Ports;
            await using (var environment = await SandboxEnvironment.StartAsync(line.Folder, ports, SandboxTuning, line.ProxyArguments))
            {
                Console.WriteLine($"Sandbox: SMTP 127.0.0.1:{ports.Smtp}, admin http://127.0.0.1:{ports.Admin}/status, SES sandbox http://127.0.0.1:{ports.Ses}/_sandbox, Gmail stand-in 127.0.0.1:{ports.Gmail}.");
                Console.WriteLine($"Mail lands in {environment.SesFolder} and {environment.GmailFolder}. Suspend SES: curl -X PUT 127.0.0.1:{ports.Ses}/_sandbox/mode -H 'content-type: application/json' -d '{{\"Mode\":\"Suspended\"}}'");
                await environment.Proxy.WaitForShutdownAsync();
            }

            return 0;
        case "admin":
            return await SmtpFailoverProxy.Admin.AdminCommand.RunAsync(rest, Console.Out, Console.Error);
        case "hash-password":
            // The password comes on standard input (echo 'secret' | smtp-proxy hash-password), never as an argument.
            if (!Console.IsInputRedirected) Console.Error.Write("Password: ");
            var password = Console.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("smtp-proxy hash-password: no password on standard input");
                return 64;
            }

            Console.WriteLine(SmtpFailoverProxy.Security.PasswordHasher.Hash(password));
            return 0;
        case "demo":
            return await new FailoverDemo(Console.Out).RunAsync(rest);
        default:
            Console.Error.WriteLine($"smtp-proxy: unknown command '{verb}'. Usage: smtp-proxy [run|sandbox|demo|ses-sandbox|admin|hash-password] [--config PATH] [--Section:Key=value ...]");
            return 64; // EX_USAGE
    }
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"smtp-proxy: {ex.Message}");
    return 64; // EX_USAGE
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

internal static partial class Program
{
    /// <summary>Short durations so that a person at a terminal sees the circuit open, the canary and the recovery.</summary>
    private static readonly string[] SandboxTuning =
    [
        "--Circuit:SuspensionOpenDuration=00:00:30",
        "--Circuit:CanaryFailureExtension=00:00:15",
        "--Circuit:CanaryCheckInterval=00:00:01",
        "--Circuit:HealthCheckInterval=00:00:10",
        "--Spool:RetryInitialDelay=00:00:05",
        "--Spool:RetryMaxDelay=00:00:15",
    ];
}
