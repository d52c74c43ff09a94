using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Microsoft.AspNetCore.Http;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// Checks a request's SigV4 Authorization header the way AWS does: same canonical request, same key,
/// same signature, or the AWS error a client would get.
/// </summary>
internal static partial class SigV4Verifier
{
    /// <summary>Null when the signature is good; otherwise the AWS error code and message.</summary>
    public static (string Code, string Message)? Verify(HttpRequest request, byte[] body, string accessKeyId, string secretAccessKey)
    {
        var authorization = request.Headers.Authorization.ToString();
        var match = AuthorizationPattern().Match(authorization);
        if (!match.Success) return ("MissingAuthenticationToken", "Missing Authentication Token");

        var (key, date, region, service) = (match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["service"].Value);
        if (key != accessKeyId) return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        if (!DateTime.TryParseExact(request.Headers["X-Amz-Date"].ToString(), SigV4Signer.DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt) || signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture) != date)
        {
            return ("IncompleteSignature", "X-Amz-Date is missing or does not match the credential scope.");
        }

        var signedHeaders = match.Groups["headers"].Value;
        var headers = signedHeaders.Split(';').Select(name => new KeyValuePair<string, string>(name,
            name == "host" ? request.Host.Value ?? "" : request.Headers[name].ToString()));
        var uri = new Uri($"http://{request.Host.Value}{request.Path}{request.QueryString}");
        var canonical = SigV4Signer.CanonicalRequest(request.Method, uri, headers, SigV4Signer.HashHex(body), out var canonicalSigned);
        var expected = SigV4Signer.Authorization(new ImmutableCredentials(accessKeyId, secretAccessKey, null), region, service, signedAt, canonical, canonicalSigned);

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(NormalizeSpaces(authorization)))
            ? null
            : ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
    }

    private static string NormalizeSpaces(string authorization) => string.Join(", ", authorization.Split(',').Select(p => p.Trim()));

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request,\s*SignedHeaders=(?<headers>[a-z0-9;\-]+),\s*Signature=(?<sig>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();
}
