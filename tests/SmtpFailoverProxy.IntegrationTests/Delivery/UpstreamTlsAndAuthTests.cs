using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary>
/// The relay's own SMTP client against aiosmtpd with TLS and AUTH required, as smtp.gmail.com requires
/// them: STARTTLS on 587, TLS from the first byte on 465, a password refused, a certificate not trusted.
/// </summary>
public sealed class UpstreamTlsAndAuthTests
{
    private const string User = "relay@example.com";
    private const string Password = "app-password-1234";

    private static async Task<(UpstreamSmtpServer Upstream, string CertificatePath)> StartUpstreamAsync(bool implicitTls)
    {
        var (certificate, key) = TestCertificate.WritePem(RepositoryPaths.NewTempDirectory("upstream-tls"));
        List<string> args = ["--tls-cert", certificate, "--tls-key", key, "--auth", $"{User}:{Password}", "--pipelining"];
        if (implicitTls) args.Add("--implicit-tls");
        return (await UpstreamSmtpServer.StartAsync(extraArguments: args), certificate);
    }

    private static Dictionary<string, string> RelayingSecurely(UpstreamSmtpServer upstream, string security, string? trustedCertificate, string password = Password)
    {
        var settings = ProxyProcess.RelayingTo(upstream.Port);
        settings["Providers:gmail:Security"] = security;
        settings["Providers:gmail:Username"] = User;
        settings["Providers:gmail:Password"] = password;
        if (trustedCertificate is not null) settings["Providers:gmail:TrustedCertificate"] = trustedCertificate;
        return settings;
    }

    private static async Task SendAsync(ProxyProcess proxy)
    {
        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com", "--header", "Subject: over TLS");
        Assert.True(exit == 0, transcript);
    }

    [Theory]
    [InlineData("StartTls", false)]
    [InlineData("Implicit", true)]
    public async Task Relays_over_TLS_with_AUTH(string security, bool implicitTls)
    {
        var (upstream, certificate) = await StartUpstreamAsync(implicitTls);
        using var _ = upstream;
        using var proxy = await ProxyProcess.StartAsync(RelayingSecurely(upstream, security, certificate));

        await SendAsync(proxy);

        var received = await Eventually.ValueAsync(() => upstream.Messages.FirstOrDefault(), "the upstream to receive the message");
        Assert.True(received.Tls);
        Assert.True(received.Authenticated);
        Assert.Equal(["user@example.com"], received.Recipients);
        Assert.Contains("Subject: over TLS", received.Text);
        await Eventually.TrueAsync(() => proxy.QueuedCount == 0, "the spool to empty");
    }

    [Fact]
    public async Task A_private_CA_root_is_enough_when_the_server_presents_its_intermediate()
    {
        var (chain, key, root) = TestCertificate.WriteChainPem(RepositoryPaths.NewTempDirectory("upstream-chain"));
        using var upstream = await UpstreamSmtpServer.StartAsync(extraArguments: ["--tls-cert", chain, "--tls-key", key, "--auth", $"{User}:{Password}"]);
        using var proxy = await ProxyProcess.StartAsync(RelayingSecurely(upstream, "StartTls", root));

        await SendAsync(proxy);

        var received = await Eventually.ValueAsync(() => upstream.Messages.FirstOrDefault(), "the upstream to receive the message");
        Assert.True(received.Tls);
        Assert.True(received.Authenticated);
    }

    [Fact]
    public async Task A_refused_password_keeps_the_message_queued_and_never_shows_the_password()
    {
        var (upstream, certificate) = await StartUpstreamAsync(implicitTls: false);
        using var _ = upstream;
        using var proxy = await ProxyProcess.StartAsync(RelayingSecurely(upstream, "StartTls", certificate, password: "wrong-secret-5678"));

        await SendAsync(proxy);

        await Eventually.TrueAsync(() => proxy.Output.Contains("(ProviderMisconfigured)"), "the deferral for the refused password");
        Assert.Contains("535", proxy.Output);
        Assert.DoesNotContain("wrong-secret-5678", proxy.Output);
        Assert.Equal(1, proxy.QueuedCount);
        Assert.Empty(upstream.Messages);
    }

    [Fact]
    public async Task A_certificate_nobody_trusts_is_refused_and_the_message_waits()
    {
        var (upstream, _) = await StartUpstreamAsync(implicitTls: false);
        using var __ = upstream;
        using var proxy = await ProxyProcess.StartAsync(RelayingSecurely(upstream, "StartTls", trustedCertificate: null));

        await SendAsync(proxy);

        await Eventually.TrueAsync(() => proxy.Output.Contains("AuthenticationException"), "the deferral for the untrusted certificate");
        Assert.Equal(1, proxy.QueuedCount);
        Assert.Empty(upstream.Messages);
    }
}
