using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary>The README's first command, run as a user would: it must tell the whole story and lose nothing.</summary>
public sealed class FailoverDemoTests
{
    [Fact]
    public async Task Demo_fails_over_recovers_and_loses_nothing()
    {
        using var demo = new ChildProcess("dotnet", [RepositoryPaths.ProxyDll, "demo"]);

        var exitCode = await demo.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, demo.Output);
        Assert.Contains("circuit ses: Open (Suspended)", demo.Output);
        Assert.Contains("canary failures 1", demo.Output);
        Assert.Contains("circuit ses: Closed", demo.Output);
        Assert.Contains("accepted 7, delivered via SES 5, via Gmail 2, held 0, lost 0, duplicated 0", demo.Output);
        Assert.Contains("bulk through Gmail: 0", demo.Output);
    }
}
