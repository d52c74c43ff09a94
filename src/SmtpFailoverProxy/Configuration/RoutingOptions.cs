namespace SmtpFailoverProxy.Configuration;

/// <summary>Which providers carry mail, in order. Section <c>Routing</c>.</summary>
public sealed class RoutingOptions
{
    /// <summary>Provider names, the primary first. <value>The default value is <c>["ses", "gmail"]</c>.</value></summary>
    public List<string> Order { get; set; } = ["ses", "gmail"];

    /// <summary>
    /// The provider to use first, moved to the head of <see cref="Order"/>; also set by the environment
    /// variable <c>EMAIL_PROVIDER=SES|GMAIL</c>. <value>The default value is the first of <see cref="Order"/>.</value>
    /// </summary>
    public string? Primary { get; set; }


    internal void Validate(ICollection<string> configuredProviders)
    {
        ConfigurationException.ThrowIf(Order.Count == 0, "Routing:Order", "must name at least one provider");
        for (var i = 0; i < Order.Count; i++)
        {
            ConfigurationException.ThrowIf(!configuredProviders.Contains(Order[i]), $"Routing:Order:{i}",
                $"provider '{Order[i]}' has no section Providers:{Order[i]}");
        }

        ConfigurationException.ThrowIf(Primary is not null && !Order.Contains(Primary, StringComparer.OrdinalIgnoreCase), "Routing:Primary",
            $"'{Primary}' is not in Routing:Order ({string.Join(", ", Order)})");
    }
}
