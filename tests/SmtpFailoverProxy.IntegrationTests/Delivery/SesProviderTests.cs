using System.Text;
using MimeKit;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.IntegrationTests.Infrastructure;
using SmtpFailoverProxy.Providers;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.IntegrationTests.Delivery;

/// <summary>Our SESv2 client against our sandbox and against aws-ses-v2-local, over real HTTP.</summary>
public sealed class SesProviderTests
{
    private const string Raw =
        "From: App <app@example.com>\r\n" +
        "To: user@example.com\r\n" +
        "Subject: Reset your password\r\n" +
        "Message-ID: <ses-client@example.com>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 8bit\r\n" +
        "\r\n" +
        "Your code is 123456. Ünïcödé stays.\r\n";

    private static SesV2Client Client(Uri url, string secret = SesSandboxProcess.SecretAccessKey, string key = SesSandboxProcess.AccessKeyId)
    {
        var options = new SesProviderOptions { Region = "ap-northeast-2", ServiceUrl = url.ToString(), AccessKeyId = key, SecretAccessKey = secret };
        return new SesV2Client(new HttpClient(), options, new SesCredentials(options), TimeProvider.System);
    }

    private static SesRawEmail Email(params string[] recipients) => SesRawEmail.FromBytes(Encoding.UTF8.GetBytes(Raw), recipients);

    [Fact]
    public async Task Raw_message_reaches_the_sandbox_byte_for_byte_with_the_envelope_recipients()
    {
        using var sandbox = await SesSandboxProcess.StartAsync();
        var before = TimeProvider.System.GetUtcNow();

        var result = await Client(sandbox.Url).SendRawEmailAsync(Email("user@example.com", "bcc-only@example.com"), CancellationToken.None);

        Assert.Null(result.Error);
        var stored = Assert.Single(sandbox.Messages);
        Assert.Equal(result.MessageId, stored.MessageId);
        Assert.Equal(["user@example.com", "bcc-only@example.com"], stored.Recipients);
        Assert.Equal(Encoding.UTF8.GetBytes(Raw), stored.Content);
        Assert.InRange(stored.ReceivedAt, before, TimeProvider.System.GetUtcNow());
        // Both files appear only whole, by rename: nothing half-written is left to read.
        Assert.Empty(Directory.EnumerateFiles(sandbox.Directory, "*.partial"));
    }

    [Fact]
    public async Task A_sandbox_that_stores_nothing_still_checks_counts_and_answers_each_send()
    {
        using var sandbox = await SesSandboxProcess.StartAsync("--SesSandbox:Store=false");

        var sent = await Client(sandbox.Url).SendRawEmailAsync(Email("user@example.com"), CancellationToken.None);
        var refused = await Client(sandbox.Url, secret: "wrong").SendRawEmailAsync(Email("user@example.com"), CancellationToken.None);

        Assert.Null(sent.Error);
        Assert.EndsWith("-sandbox", sent.MessageId);
        Assert.Equal("SignatureDoesNotMatch", refused.Error?.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Directory));
        using var control = new HttpClient { BaseAddress = sandbox.Url };
        Assert.Contains("\"Sent\":1", await control.GetStringAsync("/_sandbox"));
        Assert.Equal("[]", await control.GetStringAsync("/_sandbox/messages"));
    }

    [Fact]
    public async Task GetAccount_reads_sending_state_and_quota()
    {
        using var sandbox = await SesSandboxProcess.StartAsync();
        var client = Client(sandbox.Url);

        var healthy = await client.GetAccountAsync(CancellationToken.None);
        Assert.True(healthy.Account!.SendingEnabled);
        Assert.Equal(14, healthy.Account.MaxSendRate);

        await sandbox.SetModeAsync("SendingDisabled");
        var disabled = await client.GetAccountAsync(CancellationToken.None);
        Assert.False(disabled.Account!.SendingEnabled);
    }

    [Theory]
    [InlineData("wrong-secret", SesSandboxProcess.AccessKeyId, "SignatureDoesNotMatch")]
    [InlineData(SesSandboxProcess.SecretAccessKey, "AKIAUNKNOWN", "UnrecognizedClientException")]
    public async Task Bad_credentials_are_refused_as_AWS_refuses_them(string secret, string key, string code)
    {
        using var sandbox = await SesSandboxProcess.StartAsync();

        var result = await Client(sandbox.Url, secret, key).SendRawEmailAsync(Email("user@example.com"), CancellationToken.None);

        Assert.Equal(403, result.Error!.StatusCode);
        Assert.Equal(code, result.Error.Code);
        Assert.Equal(OutcomeClass.ProviderMisconfigured, SesOutcomeClassifier.Classify(result.Error));
        Assert.Empty(sandbox.Messages);
    }

    [Theory]
    [InlineData("Suspended", 400, "AccountSuspendedException", OutcomeClass.Suspended)]
    [InlineData("Paused", 400, "SendingPausedException", OutcomeClass.Suspended)]
    [InlineData("SendingDisabled", 400, "SendingPausedException", OutcomeClass.Suspended)]
    [InlineData("Throttled", 429, "TooManyRequestsException", OutcomeClass.Throttled)]
    [InlineData("QuotaExhausted", 400, "LimitExceededException", OutcomeClass.QuotaExhausted)]
    [InlineData("ServerError", 500, "InternalFailure", OutcomeClass.Transient)]
    [InlineData("MessageRejected", 400, "MessageRejected", OutcomeClass.MessageRejected)]
    [InlineData("Unverified", 400, "MessageRejected", OutcomeClass.ProviderMisconfigured)]
    public async Task Each_sandbox_mode_is_classified_from_its_real_HTTP_answer(string mode, int status, string code, OutcomeClass expected)
    {
        using var sandbox = await SesSandboxProcess.StartAsync();
        await sandbox.SetModeAsync(mode);

        var result = await Client(sandbox.Url).SendRawEmailAsync(Email("user@example.com"), CancellationToken.None);

        Assert.Equal(status, result.Error!.StatusCode);
        Assert.Equal(code, result.Error.Code);
        Assert.Equal(expected, SesOutcomeClassifier.Classify(result.Error));
    }

    [Fact]
    public async Task A_limited_mode_returns_to_healthy_after_its_count()
    {
        using var sandbox = await SesSandboxProcess.StartAsync();
        await sandbox.SetModeAsync("Throttled", count: 1);
        var client = Client(sandbox.Url);

        Assert.Equal("TooManyRequestsException", (await client.SendRawEmailAsync(Email("a@example.com"), CancellationToken.None)).Error?.Code);
        Assert.Null((await client.SendRawEmailAsync(Email("a@example.com"), CancellationToken.None)).Error);
    }

    [Fact]
    public async Task No_listener_is_a_transient_connection_failure()
    {
        var result = await Client(new Uri($"http://127.0.0.1:{TestPorts.GetFree()}")).SendRawEmailAsync(Email("a@example.com"), CancellationToken.None);

        Assert.Equal("ConnectionFailure", result.Error!.Code);
        Assert.Equal(OutcomeClass.Transient, SesOutcomeClassifier.Classify(result.Error));
    }

    [Fact]
    public async Task Independent_emulator_aws_ses_v2_local_understands_our_requests()
    {
        var account = new
        {
            DedicatedIpAutoWarmupEnabled = false,
            Details = new
            {
                AdditionalContactEmailAddresses = Array.Empty<string>(), ContactLanguage = "EN", MailType = "TRANSACTIONAL",
                ReviewDetails = new { CaseId = "1", Status = "GRANTED" }, UseCaseDescription = "tests", WebsiteURL = "https://example.com",
            },
            EnforcementStatus = "HEALTHY",
            ProductionAccessEnabled = true,
            SendingEnabled = true,
            SendQuota = new { Max24HourSend = 50000, MaxSendRate = 7, SentLast24Hours = 12 },
            SuppressionAttributes = new { SuppressedReasons = new[] { "BOUNCE" } },
        };
        using var emulator = await AwsSesV2Local.StartAsync(account);
        var client = Client(emulator.Url, "any-secret", "ANY-KEY");

        var sent = await client.SendRawEmailAsync(Email("user@example.com"), CancellationToken.None);
        var read = await client.GetAccountAsync(CancellationToken.None);

        Assert.Null(sent.Error);
        var store = await emulator.StoreAsync();
        var email = Assert.Single(store.GetProperty("emails").EnumerateArray(), e => e.GetProperty("messageId").GetString() == sent.MessageId);
        var original = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Raw)));
        Assert.Equal(original.Subject, email.GetProperty("subject").GetString());
        Assert.Contains("app@example.com", email.GetProperty("from").GetString());
        Assert.Contains("user@example.com", email.GetProperty("destination").GetProperty("to")[0].GetString());
        Assert.Equal(original.TextBody!.TrimEnd(), email.GetProperty("body").GetProperty("text").GetString()!.TrimEnd());

        Assert.Null(read.Error);
        Assert.Equal(new SesAccount(true, "HEALTHY", true, 50000, 7, 12), read.Account);
    }

    [Fact]
    public async Task Swaks_to_the_proxy_reaches_the_SES_sandbox()
    {
        using var sandbox = await SesSandboxProcess.StartAsync();
        var settings = ProxyProcess.DefaultSettings();
        ProxyProcess.AddSesSandboxProvider(settings, sandbox.Url);
        using var proxy = await ProxyProcess.StartAsync(settings);
        var dataFile = Path.Combine(proxy.WorkDirectory, "message.eml");
        await File.WriteAllTextAsync(dataFile, Raw[..^2]); // swaks adds the final CR LF itself

        var (exit, transcript) = await Swaks.RunAsync("--server", $"127.0.0.1:{proxy.SmtpPort}", "--from", "app@example.com",
            "--to", "user@example.com,second@example.com", "--data", dataFile);

        Assert.True(exit == 0, transcript);
        await Eventually.TrueAsync(() => sandbox.Messages.Count == 1, "the SES sandbox to receive the message");
        var (_, recipients, content, _) = sandbox.Messages[0];
        Assert.Equal(["user@example.com", "second@example.com"], recipients);
        var text = Encoding.UTF8.GetString(content);
        Assert.StartsWith("Received: from ", text);
        Assert.EndsWith(Raw, text);
        await Eventually.TrueAsync(() => proxy.Output.Contains("SES accepted"), "the proxy to log the SES MessageId");
    }
}
