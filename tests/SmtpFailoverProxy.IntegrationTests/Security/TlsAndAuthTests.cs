using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;

namespace SmtpFailoverProxy.IntegrationTests.Security;

/// <summary>One proxy with TLS and AUTH required, shared by the tests of a class.</summary>
public sealed class SecuredProxyFixture : IAsyncLifetime
{
    internal ProxyProcess Proxy { get; private set; } = null!;
    internal int ImplicitTlsPort { get; private set; }

    public async Task InitializeAsync()
    {
        (Proxy, ImplicitTlsPort) = await StartSecuredAsync();
    }

    /// <summary>A proxy with TLS (STARTTLS and implicit), AUTH required, user alice.</summary>
    internal static async Task<(ProxyProcess Proxy, int ImplicitTlsPort)> StartSecuredAsync()
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        var (certificate, key) = TestCertificate.WritePem(settings["__WorkDirectory"]);
        // The hash comes from the real verb, as an operator would make it.
        var hash = await HashAsync("s3cret pass");
        var implicitTlsPort = TestPorts.GetFree();
        settings["Smtp:TlsCertificate"] = certificate;
        settings["Smtp:TlsKey"] = key;
        settings["Smtp:ImplicitTlsListen"] = $"127.0.0.1:{implicitTlsPort}";
        settings["Smtp:RequireAuth"] = "true";
        settings["Smtp:AllowPlaintextAuthOnLoopback"] = "false";
        settings["Smtp:Users:alice"] = hash;
        settings["Smtp:MaxAuthFailures"] = "3";
        settings["Smtp:AuthFailureDelay"] = "00:00:00.050";
        settings["Smtp:AllowedSenderDomains:0"] = "example.com";
        return (await ProxyProcess.StartAsync(settings), implicitTlsPort);
    }

    private static async Task<string> HashAsync(string password)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(RepositoryPaths.ProxyDll);
        info.ArgumentList.Add("hash-password");
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }

    public Task DisposeAsync()
    {
        Proxy.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Brute force, against a proxy of its own (the block it causes would hurt other tests).</summary>
public sealed class AuthBruteForceTests
{
    [Fact]
    public async Task Wrong_passwords_get_535_and_too_many_block_the_address_for_a_while()
    {
        var (proxy, _) = await SecuredProxyFixture.StartSecuredAsync();
        using (proxy)
        {
            await using var tls = await TlsAndAuthTests.TlsClient.StartAsync(proxy.SmtpPort);
            Assert.StartsWith("501 5.5.2", await tls.CommandAsync("AUTH PLAIN !!!notbase64"));
            Assert.StartsWith("504 5.5.4", await tls.CommandAsync("AUTH CRAM-MD5"));
            for (var i = 0; i < 3; i++)
            {
                Assert.StartsWith("535 5.7.8", await tls.CommandAsync("AUTH PLAIN " + TlsAndAuthTests.Plain("alice", "guess" + i)));
            }

            Assert.StartsWith("454 4.7.0", await tls.CommandAsync("AUTH PLAIN " + TlsAndAuthTests.Plain("alice", "s3cret pass")));
        }
    }
}

public sealed class TlsAndAuthTests(SecuredProxyFixture fixture) : IClassFixture<SecuredProxyFixture>
{
    private int Port => fixture.Proxy.SmtpPort;

    private Task<(int ExitCode, string Transcript)> SwaksAsync(params string[] extra) =>
        Swaks.RunAsync([.. new[] { "--server", $"127.0.0.1:{Port}", "--from", "app@example.com", "--to", "user@example.com" }, .. extra]);

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task STARTTLS_then_AUTH_sends(string mechanism)
    {
        var (exit, transcript) = await SwaksAsync("--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password", "s3cret pass");
        Assert.True(exit == 0, transcript);
        Assert.Contains("235 2.7.0 Authentication successful", transcript);
        Assert.Contains("250 2.0.0 OK queued as", transcript);
    }

    [Fact]
    public async Task Implicit_TLS_listener_speaks_TLS_from_the_first_byte()
    {
        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{fixture.ImplicitTlsPort}", "--tlsc", "--from", "app@example.com",
            "--to", "user@example.com", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret pass");
        Assert.True(exit == 0, transcript);
        Assert.Contains("250 2.0.0 OK queued as", transcript);
    }

    [Fact]
    public async Task Without_TLS_AUTH_is_not_offered_and_MAIL_needs_authentication()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port, ehlo: false);
        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.Contains("STARTTLS", ehlo);
        Assert.DoesNotContain("AUTH", ehlo);
        Assert.StartsWith("538 5.7.11", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0alice\0s3cret pass"))));
        Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<app@example.com>"));
    }

    [Fact]
    public async Task STARTTLS_twice_is_refused_and_garbage_instead_of_a_handshake_closes_only_that_connection()
    {
        await using (var tls = await TlsClient.StartAsync(Port))
        {
            Assert.StartsWith("503 5.5.1", await tls.CommandAsync("STARTTLS"));
        }

        await using (var garbage = await SmtpTestClient.ConnectAsync(Port))
        {
            Assert.StartsWith("220 2.0.0", await garbage.CommandAsync("STARTTLS"));
            await garbage.SendAsync("this is not a TLS ClientHello\r\n");
            Assert.True(await garbage.IsClosedAsync());
        }

        var (exit, transcript) = await SwaksAsync("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret pass");
        Assert.True(exit == 0, transcript);
    }

    [Fact]
    public async Task Commands_pipelined_after_STARTTLS_are_refused_not_run()
    {
        await using var client = await SmtpTestClient.ConnectAsync(Port);
        await client.SendAsync("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n");
        Assert.StartsWith("421 4.7.0", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task A_header_From_outside_the_allowed_domains_is_refused()
    {
        var (exit, transcript) = await SwaksAsync("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret pass",
            "--header", "From: ceo@elsewhere.org");
        Assert.NotEqual(0, exit);
        Assert.Contains("550 5.7.1 From header domain not allowed", transcript);
    }

    internal static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    /// <summary>A raw client that has done EHLO and STARTTLS, then EHLO again over TLS.</summary>
    internal sealed class TlsClient : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly SslStream _tls;
        private readonly StreamReader _reader;

        private TlsClient(TcpClient tcp, SslStream tls)
        {
            _tcp = tcp;
            _tls = tls;
            _reader = new StreamReader(tls, Encoding.ASCII);
        }

        public static async Task<TlsClient> StartAsync(int port)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
            var plain = tcp.GetStream();
            var reader = new StreamReader(plain, Encoding.ASCII);
            async Task<string> Reply()
            {
                string line;
                do line = (await reader.ReadLineAsync())!; while (line[3] == '-');
                return line;
            }

            await Reply();
            await plain.WriteAsync(Encoding.ASCII.GetBytes("EHLO client.test\r\n"));
            await Reply();
            await plain.WriteAsync(Encoding.ASCII.GetBytes("STARTTLS\r\n"));
            Assert.StartsWith("220", await Reply());
            var tls = new SslStream(plain, false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("proxy.test");
            var client = new TlsClient(tcp, tls);
            Assert.StartsWith("250", await client.CommandAsync("EHLO client.test"));
            return client;
        }

        public async Task<string> CommandAsync(string line)
        {
            await _tls.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            string reply;
            do reply = (await _reader.ReadLineAsync(timeout.Token))!; while (reply.Length > 3 && reply[3] == '-');
            return reply;
        }

        public async ValueTask DisposeAsync()
        {
            await _tls.DisposeAsync();
            _tcp.Dispose();
        }
    }
}

/// <summary>No open relay: a client outside Smtp:AllowedClients cannot send without AUTH.</summary>
public sealed class AllowedClientsTests
{
    [Fact]
    public async Task A_client_outside_the_allowed_networks_must_authenticate()
    {
        var settings = ProxyProcess.DeliveringToMailbox();
        settings["Smtp:AllowedClients:0"] = "10.0.0.0/8";
        using var proxy = await ProxyProcess.StartAsync(settings);

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com", "--to", "user@example.com");

        Assert.NotEqual(0, exit);
        Assert.Contains("530 5.7.0 Authentication required", transcript);
        Assert.Equal(0, proxy.QueuedCount);
    }
}
