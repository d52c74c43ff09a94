using System.Diagnostics;

namespace SmtpFailoverProxy.IntegrationTests.Infrastructure;

/// <summary>Runs swaks, the SMTP client of the smoke tests, and returns its exit code and transcript.</summary>
internal static class Swaks
{
    public static async Task<(int ExitCode, string Transcript)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.ArgumentList.Add("--timeout");
        info.ArgumentList.Add("20");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
