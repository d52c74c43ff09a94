using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace SmtpFailoverProxy.Providers.Ses;

/// <summary>
/// AWS Signature Version 4 for our small REST client: we build the canonical request (the part that
/// depends on how the request is sent); AWSSDK.Core's <see cref="AWS4Signer"/> derives the key and
/// computes the signature. Checked against AWS's published SigV4 test suite vectors.
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Hex SHA-256 of <paramref name="payload"/>.</summary>
    public static string HashHex(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    /// <summary>
    /// The canonical request of SigV4 step 1: method, canonical URI, canonical query, canonical headers,
    /// signed header names, payload hash; each on its own line.
    /// </summary>
    public static string CanonicalRequest(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash, out string signedHeaders)
    {
        var canonicalHeaders = headers
            .GroupBy(h => h.Key.ToLowerInvariant())
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => CollapseSpaces(h.Value)))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Name));

        var sb = new StringBuilder();
        sb.Append(method.ToUpperInvariant()).Append('\n');
        sb.Append(CanonicalUri(uri)).Append('\n');
        sb.Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (var (name, value) in canonicalHeaders) sb.Append(name).Append(':').Append(value).Append('\n');
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>The value of the Authorization header for a canonical request.</summary>
    public static string Authorization(ImmutableCredentials credentials, string region, string service, DateTime signedAtUtc, string canonicalRequest, string signedHeaders) =>
        AWS4Signer.ComputeSignature(credentials, region, signedAtUtc, service, signedHeaders, canonicalRequest).ForAuthorizationHeader;

    /// <summary>
    /// Signs <paramref name="request"/> in place: sets X-Amz-Date, X-Amz-Security-Token (temporary
    /// credentials) and Authorization, covering host, content-type, x-amz-* and the body hash.
    /// </summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, ImmutableCredentials credentials, string region, string service, DateTimeOffset now) =>
        Sign(request, HashHex(body), credentials, region, service, now);

    /// <summary>As above, with the body's hex SHA-256 computed by the caller (a body streamed, not held).</summary>
    public static void Sign(HttpRequestMessage request, string payloadHash, ImmutableCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var uri = request.RequestUri!;
        var amzDate = now.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.UseToken) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);

        var headers = new List<KeyValuePair<string, string>> { new("host", uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}"), new("x-amz-date", amzDate) };
        if (credentials.UseToken) headers.Add(new("x-amz-security-token", credentials.Token));
        if (request.Content?.Headers.ContentType is { } contentType) headers.Add(new("content-type", contentType.ToString()));

        var canonical = CanonicalRequest(request.Method.Method, uri, headers, payloadHash, out var signedHeaders);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(credentials, region, service, now.UtcDateTime, canonical, signedHeaders));
    }

    // RFC 3986 unreserved characters stay; everything else is %XX in upper case (SigV4 "UriEncode").
    public static string UriEncode(string value, bool keepSlash = false)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || keepSlash && c == '/') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static string CanonicalUri(Uri uri)
    {
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        return path.Length == 0 ? "/" : UriEncode(path, keepSlash: true);
    }

    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1) return string.Empty;
        return string.Join('&', query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=');
                var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
                return (Key: UriEncode(key), Value: UriEncode(value));
            })
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
    }

    private static string CollapseSpaces(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
