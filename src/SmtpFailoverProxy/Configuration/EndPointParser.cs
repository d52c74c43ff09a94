using System.Net;

namespace SmtpFailoverProxy.Configuration;

/// <summary>Parses "host:port" listen addresses from configuration.</summary>
internal static class EndPointParser
{
    public static IPEndPoint Parse(string value, string key)
    {
        var text = value.Trim();
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) text = "127.0.0.1" + text[9..];
        if (!IPEndPoint.TryParse(text, out var endPoint) || endPoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            throw new ConfigurationException(key, $"'{value}' is not an address and port such as 127.0.0.1:2525");
        }

        return endPoint;
    }
}
