using System.Security.Cryptography;
using System.Text.Json;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Tests.Providers.Ses;

/// <summary>The streamed SendEmail body: the same JSON a writer holding everything would make.</summary>
public sealed class SendEmailContentTests
{
    private static readonly SesProviderOptions Options = new()
    {
        Region = "ap-northeast-2",
        ConfigurationSetName = "transactional",
        EmailTags = new Dictionary<string, string> { ["note"] = "a \"Data\":\"\" lookalike" },
    };

    private static SesV2Client Client() => new(new HttpClient(), Options, new SesCredentials(Options), TimeProvider.System);

    private static SendEmailContent Content(byte[] message, int piece = int.MaxValue, long? declared = null)
    {
        var email = new SesRawEmail(() => new TrickleStream(message, piece), declared ?? message.Length, ["a\"quote@example.com", "b@example.com"], null);
        var (prefix, suffix) = Client().BuildSendEmailJson(email);
        return new SendEmailContent(prefix, suffix, email.OpenRawMessage, email.Length);
    }

    [Theory]
    [InlineData(0, int.MaxValue)]
    [InlineData(1, int.MaxValue)]
    [InlineData(2, int.MaxValue)]
    [InlineData(3, int.MaxValue)]
    [InlineData(48 * 1024 - 1, int.MaxValue)]
    [InlineData(48 * 1024, int.MaxValue)]
    [InlineData(48 * 1024 + 1, int.MaxValue)]
    [InlineData(200_000, 1000)] // short reads: chunks are still filled, so only the last is padded
    public async Task Body_is_the_JSON_of_SendEmail_with_the_message_in_base64_and_its_declared_length(int size, int piece)
    {
        var message = new byte[size];
        new Random(size).NextBytes(message);
        using var content = Content(message, piece);

        var body = await content.ReadAsByteArrayAsync();

        Assert.Equal(body.Length, content.Headers.ContentLength);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(message, root.GetProperty("Content").GetProperty("Raw").GetProperty("Data").GetBytesFromBase64());
        Assert.Equal(["a\"quote@example.com", "b@example.com"], root.GetProperty("Destination").GetProperty("ToAddresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("transactional", root.GetProperty("ConfigurationSetName").GetString());
        Assert.Equal("a \"Data\":\"\" lookalike", root.GetProperty("EmailTags")[0].GetProperty("Value").GetString());
    }

    [Fact]
    public async Task Hash_for_SigV4_is_the_SHA256_of_the_body_sent()
    {
        var message = new byte[100_000];
        new Random(1).NextBytes(message);
        using var content = Content(message, piece: 777);

        var hash = await content.ComputeSha256Async(CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await content.ReadAsByteArrayAsync())), hash);
    }

    [Fact]
    public async Task Message_shorter_than_its_envelope_says_fails_rather_than_sending_a_wrong_length()
    {
        using var content = Content(new byte[10], declared: 11);

        await Assert.ThrowsAsync<IOException>(() => content.ComputeSha256Async(CancellationToken.None));
    }

    /// <summary>Returns at most <c>piece</c> bytes per read, as a file or socket may.</summary>
    private sealed class TrickleStream(byte[] bytes, int piece) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, piece));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, piece)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);
    }
}
