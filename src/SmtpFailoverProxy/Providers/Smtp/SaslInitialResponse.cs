using System.Text;

namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>The base64 payloads of the SASL mechanisms the relay speaks. They carry secrets: never log them.</summary>
internal static class SaslInitialResponse
{
    /// <summary>RFC 4616: NUL user NUL password (no separate authorization identity).</summary>
    public static string Plain(string user, string password) => Base64($"\0{user}\0{password}");

    /// <summary>Google's XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A.</summary>
    public static string XOAuth2(string user, string accessToken) => Base64($"user={user}\u0001auth=Bearer {accessToken}\u0001\u0001");

    /// <summary>One field of the LOGIN mechanism (user name, then password).</summary>
    public static string Login(string field) => Base64(field);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
