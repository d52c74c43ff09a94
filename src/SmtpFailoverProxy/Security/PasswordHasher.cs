using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SmtpFailoverProxy.Security;

/// <summary>
/// Salted password hashes for SMTP AUTH users: PBKDF2-HMAC-SHA256, stored as
/// <c>$pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (base64). <c>smtp-proxy hash-password</c> prints one.
/// </summary>
internal static class PasswordHasher
{
    private const string Prefix = "$pbkdf2-sha256$";
    private const int Iterations = 100_000;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Prefix}{Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; compares in constant time.</summary>
    public static bool Verify(string password, string stored)
    {
        if (!IsHash(stored)) return false;
        var parts = stored[Prefix.Length..].Split('$');
        var iterations = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var salt = Convert.FromBase64String(parts[1]);
        var expected = Convert.FromBase64String(parts[2]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>True when <paramref name="value"/> has the shape of a hash made here.</summary>
    public static bool IsHash(string value)
    {
        if (!value.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = value[Prefix.Length..].Split('$');
        return parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 10_000
               && IsBase64(parts[1]) && IsBase64(parts[2]);
    }

    private static bool IsBase64(string value) => value.Length > 0 && Convert.TryFromBase64String(value, new byte[value.Length], out _);
}
