namespace SmtpFailoverProxy.Configuration;

/// <summary>A configuration value that stops startup; the message names the key.</summary>
public sealed class ConfigurationException(string key, string problem) : Exception($"{key}: {problem}")
{
    /// <summary>The full configuration path of the bad value, e.g. <c>Smtp:MaxRecipients</c>.</summary>
    public string Key { get; } = key;

    internal static void ThrowIf(bool condition, string key, string problem)
    {
        if (condition) throw new ConfigurationException(key, problem);
    }
}
