namespace SmtpFailoverProxy.Providers.Smtp;

/// <summary>What an upstream announced in its EHLO reply (RFC 5321 4.1.1.1): the extensions the relay uses.</summary>
internal sealed class SmtpServerCapabilities
{
    /// <summary>After HELO, or before any greeting: nothing announced.</summary>
    public static readonly SmtpServerCapabilities None = new();

    /// <summary>RFC 2920: commands may be sent in groups without waiting for each reply.</summary>
    public bool Pipelining { get; private init; }

    /// <summary>RFC 3207.</summary>
    public bool StartTls { get; private init; }

    /// <summary>RFC 6152: BODY=8BITMIME.</summary>
    public bool EightBitMime { get; private init; }

    /// <summary>RFC 6531.</summary>
    public bool SmtpUtf8 { get; private init; }

    /// <summary>RFC 1870: the SIZE parameter is understood.</summary>
    public bool Size { get; private init; }

    /// <summary>RFC 1870: the largest message the server takes, when it said (0 means no fixed limit).</summary>
    public long MaxSize { get; private init; }

    /// <summary>RFC 4954: the SASL mechanisms offered, upper case.</summary>
    public IReadOnlySet<string> AuthMechanisms { get; private init; } = new HashSet<string>();

    /// <summary>Reads the keywords of an EHLO reply; its first line is the server's greeting, not a keyword.</summary>
    public static SmtpServerCapabilities Parse(SmtpServerReply ehlo)
    {
        bool pipelining = false, startTls = false, eightBit = false, utf8 = false, size = false;
        long maxSize = 0;
        var auth = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in ehlo.Lines.Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0].ToUpperInvariant())
            {
                case "PIPELINING": pipelining = true; break;
                case "STARTTLS": startTls = true; break;
                case "8BITMIME": eightBit = true; break;
                case "SMTPUTF8": utf8 = true; break;
                case "SIZE":
                    size = true;
                    if (parts.Length > 1 && long.TryParse(parts[1], out var limit) && limit > 0) maxSize = limit;
                    break;
                case "AUTH":
                    foreach (var mechanism in parts.Skip(1)) auth.Add(mechanism.ToUpperInvariant());
                    break;
                default:
                    // Some old servers announce "AUTH=LOGIN PLAIN" (before RFC 4954).
                    if (parts[0].StartsWith("AUTH=", StringComparison.OrdinalIgnoreCase))
                    {
                        auth.Add(parts[0][5..].ToUpperInvariant());
                        foreach (var mechanism in parts.Skip(1)) auth.Add(mechanism.ToUpperInvariant());
                    }

                    break;
            }
        }

        return new SmtpServerCapabilities
        {
            Pipelining = pipelining, StartTls = startTls, EightBitMime = eightBit, SmtpUtf8 = utf8, Size = size, MaxSize = maxSize, AuthMechanisms = auth,
        };
    }
}
