using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Routing;

/// <summary>
/// Which provider is primary, changeable while running: an operator's override (admin API) wins, then
/// <c>EMAIL_PROVIDER</c> in the configuration file, then <c>Routing:Primary</c> (where the
/// <c>EMAIL_PROVIDER</c> environment variable lands). The file is watched; an edit applies to the next
/// message, no restart. A value naming no provider of <c>Routing:Order</c> is ignored with a warning.
/// </summary>
internal sealed class RoutingPolicy : IDisposable
{
    private readonly IReadOnlyList<string> _order;
    private readonly IConfiguration? _configuration;
    private readonly IDisposable? _watch;
    private volatile string? _configured;
    private volatile string? _override;

    public RoutingPolicy(RoutingOptions options, IConfiguration? configuration)
    {
        _order = options.Order;
        _configuration = configuration;
        _configured = options.Primary;
        if (configuration is not null)
        {
            Reload();
            _watch = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
        }
    }

    /// <summary>Raised when the primary changes, with a note for the log.</summary>
    public event Action<string>? Changed;

    public string Primary => _override ?? _configured ?? _order[0];

    /// <summary>The operator's override, if any.</summary>
    public string? Override => _override;

    /// <summary>Providers in the order to try: the primary first.</summary>
    public IReadOnlyList<string> EffectiveOrder
    {
        get
        {
            var primary = Primary;
            return [primary, .. _order.Where(p => !p.Equals(primary, StringComparison.OrdinalIgnoreCase))];
        }
    }

    /// <summary>Sets (or with null clears) the operator's override. Returns false for an unknown provider.</summary>
    public bool SetOverride(string? provider)
    {
        if (provider is not null && !TryResolve(provider, out provider)) return false;
        var before = Primary;
        _override = provider;
        if (before != Primary) Changed?.Invoke($"primary is now {Primary} (operator {(provider is null ? "cleared the override" : "override")})");
        return true;
    }

    private void Reload()
    {
        var fromFile = _configuration!["EMAIL_PROVIDER"];
        var value = fromFile is { Length: > 0 } ? fromFile : _configuration["Routing:Primary"];
        string? next = null;
        if (value is { Length: > 0 } && !TryResolve(value, out next))
        {
            Changed?.Invoke($"ignored primary '{value}': not in Routing:Order ({string.Join(", ", _order)})");
            return;
        }

        var before = Primary;
        _configured = next;
        if (before != Primary) Changed?.Invoke($"primary is now {Primary} (configuration)");
    }

    private bool TryResolve(string value, out string provider)
    {
        provider = _order.FirstOrDefault(p => p.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
        return provider.Length > 0;
    }

    public void Dispose() => _watch?.Dispose();
}
