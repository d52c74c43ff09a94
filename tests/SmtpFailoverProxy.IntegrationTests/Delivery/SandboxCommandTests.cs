using System.Net.Http.Json;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary><c>smtp-proxy sandbox</c> as the README runs it, on free ports: swaks in, the SES sandbox out.</summary>
public sealed class SandboxCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sfp-sandbox-").FullName;

    [Fact]
    public async Task Sandbox_on_the_given_ports_relays_a_swaks_message_to_the_SES_sandbox_and_stops_cleanly()
    {
        int smtp = TestPorts.GetFree(), admin = TestPorts.GetFree(), ses = TestPorts.GetFree(), gmail = TestPorts.GetFree();
        using var sandbox = new ChildProcess("dotnet",
            [RepositoryPaths.ProxyDll, "sandbox", "--smtp-port", $"{smtp}", "--admin-port", $"{admin}", "--ses-port", $"{ses}", "--gmail-port", $"{gmail}", "--folder", _folder]);
        await Eventually.TrueAsync(() => sandbox.Output.Contains($"Sandbox: SMTP 127.0.0.1:{smtp}") || sandbox.HasExited, "the sandbox to start");
        Assert.False(sandbox.HasExited, sandbox.Output);
        Assert.Contains($"curl -X PUT 127.0.0.1:{ses}/_sandbox/mode", sandbox.Output);

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{smtp}", "--from", "app@example.com", "--to", "user@example.com");

        Assert.True(exit == 0, transcript);
        var sesFolder = Path.Combine(_folder, "ses");
        await Eventually.TrueAsync(() => Directory.Exists(sesFolder) && Directory.EnumerateFiles(sesFolder, "*.json").Any(), "the message at the SES sandbox");
        Assert.Contains("user@example.com", File.ReadAllText(Directory.EnumerateFiles(sesFolder, "*.json").Single()));
        using var http = new HttpClient();
        var status = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"http://127.0.0.1:{admin}/status");
        Assert.Equal(System.Text.Json.JsonValueKind.Object, status.ValueKind);

        sandbox.Terminate();
        Assert.True(sandbox.ExitCode == 0, sandbox.Output);
    }

    [Fact]
    public async Task Sandbox_with_a_bad_port_stops_with_a_usage_error_naming_the_option()
    {
        using var sandbox = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, "sandbox", "--smtp-port", "99999", "--folder", _folder]);

        var exitCode = await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == 64, $"exit {exitCode}: {sandbox.Output}");
        Assert.Contains("smtp-proxy: sandbox --smtp-port: '99999' is not a port (1 to 65535)", sandbox.Output);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
