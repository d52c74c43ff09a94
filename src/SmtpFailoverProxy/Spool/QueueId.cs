namespace SmtpFailoverProxy.Spool;

/// <summary>Makes queue ids: time-ordered, unique, and safe as file names.</summary>
internal static class QueueId
{
    /// <summary>A UUIDv7 in 32 hex digits: sorts by acceptance time and never collides in practice.</summary>
    public static string New(TimeProvider timeProvider) => Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("N").ToUpperInvariant();

    /// <summary>True when <paramref name="value"/> has the shape of an id made here (guards file names).</summary>
    public static bool IsValid(string value) => value.Length == 32 && value.All(char.IsAsciiHexDigit);
}
