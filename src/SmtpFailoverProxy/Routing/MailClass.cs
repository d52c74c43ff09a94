namespace SmtpFailoverProxy.Routing;

/// <summary>What kind of mail a message is, for routing to a limited secondary provider.</summary>
public enum MailClass
{
    /// <summary>Mail a user waits for (receipts, notifications): may go through a transactional-only provider.</summary>
    Transactional,

    /// <summary>Newsletters and campaigns: never through a transactional-only provider; waits for the primary.</summary>
    Bulk,

    /// <summary>Password resets, one-time codes: transactional, and may use the provider's reserved quota.</summary>
    Critical,
}
