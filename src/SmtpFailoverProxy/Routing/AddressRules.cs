namespace SmtpFailoverProxy.Routing;

/// <summary>Address rules as configured: a whole address, or <c>@domain</c> for every address of a domain.</summary>
internal static class AddressRules
{
    public static bool Matches(IEnumerable<string> rules, string address) =>
        rules.Any(rule => rule.StartsWith('@')
            ? address.EndsWith(rule, StringComparison.OrdinalIgnoreCase)
            : address.Equals(rule, StringComparison.OrdinalIgnoreCase));
}
