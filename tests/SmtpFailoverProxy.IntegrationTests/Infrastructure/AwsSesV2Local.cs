using System.Text.Json;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>
/// aws-ses-v2-local (npm), an SES emulator that is not ours, to check our client's wire format against
/// an independent reading of the SESv2 API. Installed by .ci/run under tests/peers.
/// </summary>
internal sealed class AwsSesV2Local : IDisposable
{
    private readonly ChildProcess _process;

    private AwsSesV2Local(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}");

    public static string Cli => Path.Combine(RepositoryPaths.Root, "tests", "peers", "node_modules", "aws-ses-v2-local", "dist", "cli.js");

    public static async Task<AwsSesV2Local> StartAsync(object account)
    {
        if (!File.Exists(Cli)) throw new InvalidOperationException($"{Cli} is missing: run 'npm ci --prefix tests/peers' (bash .ci/run does).");
        var port = TestPorts.GetFree();
        var process = new ChildProcess("node", [Cli, "--host", "127.0.0.1", "--port", port.ToString()],
            new Dictionary<string, string> { ["AWS_SES_ACCOUNT"] = JsonSerializer.Serialize(account) });
        await Eventually.TrueAsync(() => process.HasExited || process.Output.Contains("server running"), "aws-ses-v2-local to start");
        if (process.HasExited) throw new InvalidOperationException("aws-ses-v2-local exited:\n" + process.Output);
        return new AwsSesV2Local(process, port);
    }

    /// <summary>The emulator's store (GET /store): what it understood of each message.</summary>
    public async Task<JsonElement> StoreAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        return JsonDocument.Parse(await http.GetStringAsync(new Uri(Url, "/store"))).RootElement;
    }

    public void Dispose() => _process.Dispose();
}
