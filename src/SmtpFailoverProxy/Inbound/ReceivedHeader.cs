using System.Globalization;
using System.Net;
using System.Text;

namespace SmtpFailoverProxy.Inbound;

/// <summary>Builds the Received: trace field we prepend (RFC 5321 4.4).</summary>
internal static class ReceivedHeader
{
    public static byte[] Build(string clientName, IPAddress? clientAddress, string hostname, string protocol, string queueId, IReadOnlyList<string> recipients, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append("Received: from ").Append(Sanitize(clientName)).Append(" ([").Append(clientAddress?.ToString() ?? "unknown").Append("])\r\n");
        sb.Append("\tby ").Append(hostname).Append(" (SmtpFailoverProxy) with ").Append(protocol).Append(" id ").Append(queueId);
        // Naming the recipient only when there is one keeps other recipients' addresses private.
        if (recipients.Count == 1) sb.Append("\r\n\tfor <").Append(recipients[0]).Append('>');
        sb.Append("; ").Append(FormatDate(now)).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>RFC 5322 3.3 date-time with a numeric zone.</summary>
    public static string FormatDate(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private static string Sanitize(string name)
    {
        var clean = new string(name.Where(c => c > ' ' && c != '(' && c != ')' && c != ';' && c < 127).ToArray());
        return clean.Length == 0 ? "unknown" : clean;
    }
}
