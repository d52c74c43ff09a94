using System.Net.Http.Json;
using System.Text.Json;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>The local SES sandbox (<c>smtp-proxy ses-sandbox</c>) as a child process on a free port.</summary>
internal sealed class SesSandboxProcess : IDisposable
{
    public const string AccessKeyId = "sandbox";
    public const string SecretAccessKey = "sandbox-secret";

    private readonly ChildProcess _process;
    private readonly HttpClient _control;

    private SesSandboxProcess(ChildProcess process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
        _control = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(15) };
    }

    public int Port { get; }
    public string Directory { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <param name="extraArguments">More settings, such as <c>--SesSandbox:MaxSendRate=1000</c>.</param>
    public static async Task<SesSandboxProcess> StartAsync(params string[] extraArguments)
    {
        var port = TestPorts.GetFree();
        var directory = RepositoryPaths.NewTempDirectory("ses-sandbox");
        var process = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, "ses-sandbox", "--port", port.ToString(), $"--SesSandbox:Path={directory}", .. extraArguments]);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(() => process.HasExited || Responds(probe, port), "the SES sandbox to listen");
        if (process.HasExited) throw new InvalidOperationException("The SES sandbox exited:\n" + process.Output);
        return new SesSandboxProcess(process, port, directory);
    }

    public async Task SetModeAsync(string mode, int? count = null, int latencyMs = 0)
    {
        using var response = await _control.PutAsJsonAsync("/_sandbox/mode", new { Mode = mode, Count = count, LatencyMs = latencyMs });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Messages the sandbox accepted: envelope, exact bytes and when the sandbox took them.</summary>
    public IReadOnlyList<(string MessageId, string[] Recipients, byte[] Content, DateTimeOffset ReceivedAt)> Messages =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json").Order().Select(json =>
        {
            var doc = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
            return (doc.GetProperty("MessageId").GetString()!,
                doc.GetProperty("Recipients").EnumerateArray().Select(r => r.GetString()!).ToArray(),
                File.ReadAllBytes(Path.ChangeExtension(json, ".eml")),
                doc.GetProperty("ReceivedAt").GetDateTimeOffset());
        }).ToList();

    private static bool Responds(HttpClient probe, int port)
    {
        try
        {
            return probe.GetAsync($"http://127.0.0.1:{port}/_sandbox").GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _control.Dispose();
        _process.Dispose();
    }
}
