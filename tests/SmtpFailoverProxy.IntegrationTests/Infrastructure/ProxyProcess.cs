using System.Net.Sockets;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>
/// The real proxy executable, started as a child process on free loopback ports with its configuration
/// given as <c>--Key=value</c> arguments. Can be killed (SIGKILL) and started again on the same spool.
/// </summary>
internal sealed class ProxyProcess : IDisposable
{
    private readonly Dictionary<string, string> _settings;
    private ChildProcess _process;

    private ProxyProcess(Dictionary<string, string> settings, ChildProcess process)
    {
        _settings = settings;
        _process = process;
    }

    public int SmtpPort => int.Parse(_settings["Smtp:Listen"].Split(':')[1]);
    public int AdminPort => int.Parse(_settings["Admin:Listen"].Split(':')[1]);
    public string WorkDirectory => _settings["__WorkDirectory"];
    public string SpoolQueue => Path.Combine(_settings["Spool:Path"], "queue");
    public string SpoolSlots => Path.Combine(_settings["Spool:Path"], "slots");
    public string Output => _process.Output;
    public int ProcessId => _process.Id;

    /// <summary>Messages still in the spool, as the disk says: slots whose header starts <c>SFP4 Q</c>.</summary>
    public int QueuedCount => Directory.Exists(SpoolSlots) ? Directory.EnumerateFiles(SpoolSlots, "*.slot").Count(IsQueued) : 0;

    private static bool IsQueued(string slot)
    {
        var start = new byte[6];
        try
        {
            using var file = new FileStream(slot, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.AsSpan().SequenceEqual("SFP4 Q"u8);
        }
        catch (IOException)
        {
            return false; // Gone, or locked by the proxy while a message is received into it: not queued yet.
        }
    }

    /// <summary>Defaults for tests: free ports, a fresh spool, short retries.</summary>
    public static Dictionary<string, string> DefaultSettings()
    {
        var work = RepositoryPaths.NewTempDirectory("proxy");
        return new Dictionary<string, string>
        {
            ["__WorkDirectory"] = work,
            ["Smtp:Listen"] = $"127.0.0.1:{TestPorts.GetFree()}",
            ["Smtp:Hostname"] = "proxy.test",
            ["Admin:Listen"] = $"127.0.0.1:{TestPorts.GetFree()}",
            ["Spool:Path"] = Path.Combine(work, "spool"),
            ["State:Path"] = Path.Combine(work, "state"),
            ["Spool:RetryInitialDelay"] = "00:00:00.200",
            ["Spool:RetryMaxDelay"] = "00:00:01",
        };
    }

    /// <summary>Settings that relay to an SMTP server on 127.0.0.1:<paramref name="port"/> without TLS.</summary>
    public static Dictionary<string, string> RelayingTo(int port)
    {
        var settings = DefaultSettings();
        settings["Routing:Order:0"] = "gmail";
        settings["Providers:gmail:Type"] = "smtp";
        settings["Providers:gmail:Host"] = "127.0.0.1";
        settings["Providers:gmail:Port"] = port.ToString();
        settings["Providers:gmail:Security"] = "None";
        return settings;
    }

    /// <summary>Adds provider <c>ses</c> pointing at an SES sandbox, at position <paramref name="order"/> of the routing.</summary>
    public static void AddSesSandboxProvider(Dictionary<string, string> settings, Uri sandbox, int order = 0)
    {
        settings[$"Routing:Order:{order}"] = "ses";
        settings["Providers:ses:Type"] = "ses";
        settings["Providers:ses:Region"] = "ap-northeast-2";
        settings["Providers:ses:ServiceUrl"] = sandbox.ToString();
        settings["Providers:ses:AccessKeyId"] = SesSandboxProcess.AccessKeyId;
        settings["Providers:ses:SecretAccessKey"] = SesSandboxProcess.SecretAccessKey;
    }

    /// <summary>Settings that deliver into a local mailbox folder.</summary>
    public static Dictionary<string, string> DeliveringToMailbox()
    {
        var settings = DefaultSettings();
        settings["Routing:Order:0"] = "mailbox";
        settings["Providers:mailbox:Type"] = "mailbox";
        settings["Providers:mailbox:Path"] = Path.Combine(settings["__WorkDirectory"], "mailbox");
        return settings;
    }

    public static async Task<ProxyProcess> StartAsync(Dictionary<string, string> settings)
    {
        var proxy = new ProxyProcess(settings, Launch(settings));
        await proxy.WaitUntilListeningAsync();
        return proxy;
    }

    /// <summary>Runs the executable with these settings and returns it without waiting for it to listen.</summary>
    public static ChildProcess Launch(Dictionary<string, string> settings, params string[] extraArguments)
    {
        // A test may put its own JSON in the configuration file (to edit it while running).
        var configFile = ConfigFile(settings);
        if (!File.Exists(configFile)) File.WriteAllText(configFile, "{}");
        var arguments = new List<string> { RepositoryPaths.ProxyDll, "--config", configFile };
        arguments.AddRange(settings.Where(kv => !kv.Key.StartsWith("__", StringComparison.Ordinal)).Select(kv => $"--{kv.Key}={kv.Value}"));
        arguments.AddRange(extraArguments);
        return new ChildProcess("dotnet", arguments);
    }

    /// <summary>The --config file of these settings.</summary>
    public static string ConfigFile(Dictionary<string, string> settings) => Path.Combine(settings["__WorkDirectory"], "smtp-proxy.json");

    /// <summary>GET /status of the admin API.</summary>
    public async Task<System.Text.Json.JsonElement> StatusAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{AdminPort}/status")).RootElement;
    }

    /// <summary>The state of a provider's circuit, from the admin API.</summary>
    public async Task<string> CircuitStateAsync(string provider)
    {
        var status = await StatusAsync();
        return status.GetProperty("providers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == provider)
            .GetProperty("circuit").GetProperty("state").GetString()!;
    }

    /// <summary>SIGKILL, as a crash would.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Starts the executable again on the same settings and spool.</summary>
    public async Task RestartAsync()
    {
        _process.Terminate();
        _process = Launch(_settings);
        await WaitUntilListeningAsync();
    }

    private async Task WaitUntilListeningAsync()
    {
        await Eventually.TrueAsync(() => _process.HasExited || (CanConnect(SmtpPort) && CanConnect(AdminPort)), "the proxy to listen");
        if (_process.HasExited) throw new InvalidOperationException($"The proxy exited with {_process.ExitCode}:\n{_process.Output}");
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _process.Dispose();
}
