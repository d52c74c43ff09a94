using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Tests.Providers.Ses;

/// <summary>
/// AWS's published SigV4 test suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html:
/// get-vanilla, get-vanilla-query-order-key-case, post-vanilla) and the S3 API reference's "GET Object"
/// example. Expected signatures are those documents' facts.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly ImmutableCredentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTime SuiteTime = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Theory]
    [InlineData("get-vanilla", "GET", "https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("post-vanilla", "POST", "https://example.amazonaws.com/", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    public void Reproduces_the_test_suite(string name, string method, string url, string signature)
    {
        var headers = new Dictionary<string, string> { ["Host"] = "example.amazonaws.com", ["X-Amz-Date"] = "20150830T123600Z" };
        var canonical = SigV4Signer.CanonicalRequest(method, new Uri(url), headers, EmptyHash, out var signed);

        var authorization = SigV4Signer.Authorization(SuiteCredentials, "us-east-1", "service", SuiteTime, canonical, signed);

        Assert.Equal($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}", authorization);
        Assert.NotNull(name);
    }

    [Fact]
    public void Reproduces_the_S3_GET_Object_example()
    {
        var credentials = new ImmutableCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null);
        var headers = new Dictionary<string, string>
        {
            ["Host"] = "examplebucket.s3.amazonaws.com",
            ["Range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = EmptyHash,
            ["x-amz-date"] = "20130524T000000Z",
        };
        var canonical = SigV4Signer.CanonicalRequest("GET", new Uri("https://examplebucket.s3.amazonaws.com/test.txt"), headers, EmptyHash, out var signed);

        var authorization = SigV4Signer.Authorization(credentials, "us-east-1", "s3", new DateTime(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc), canonical, signed);

        Assert.EndsWith("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", authorization);
    }

    /// <summary>AWSSDK.Core's signer against the derivation written out from AWS's documentation.</summary>
    [Fact]
    public void SDK_signature_equals_the_documented_key_derivation()
    {
        var canonical = "POST\n/v2/email/outbound-emails\n\ncontent-type:application/json\nhost:email.ap-northeast-2.amazonaws.com\nx-amz-date:20261124T090000Z\n\ncontent-type;host;x-amz-date\n" + EmptyHash;
        var at = new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);

        var authorization = SigV4Signer.Authorization(SuiteCredentials, "ap-northeast-2", "ses", at, canonical, "content-type;host;x-amz-date");

        static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + SuiteCredentials.SecretKey), "20261124"), "ap-northeast-2"), "ses"), "aws4_request");
        var stringToSign = $"AWS4-HMAC-SHA256\n20261124T090000Z\n20261124/ap-northeast-2/ses/aws4_request\n{SigV4Signer.HashHex(Encoding.UTF8.GetBytes(canonical))}";
        Assert.EndsWith("Signature=" + Convert.ToHexStringLower(Hmac(key, stringToSign)), authorization);
    }

    [Fact]
    public void Sign_sets_date_token_and_an_authorization_covering_content_type()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/v2/email/outbound-emails")
        {
            Content = new ByteArrayContent("{}"u8.ToArray()),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var credentials = new ImmutableCredentials("AKID", "secret", "session-token");

        SigV4Signer.Sign(request, "{}"u8, credentials, "ap-northeast-2", "ses", new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

        Assert.Equal("20261124T090000Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("session-token", request.Headers.GetValues("X-Amz-Security-Token").Single());
        var authorization = request.Headers.GetValues("Authorization").Single();
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID/20261124/ap-northeast-2/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=", authorization);
        Assert.NotNull(CultureInfo.InvariantCulture);
    }
}
