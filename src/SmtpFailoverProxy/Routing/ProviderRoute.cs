using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Providers;

namespace SmtpFailoverProxy.Routing;

/// <summary>A provider with what governs its use: its circuit, its daily quota, and whether it takes bulk mail.</summary>
internal sealed record ProviderRoute(IEmailProvider Provider, ProviderCircuit Circuit, RollingQuota? Quota, bool TransactionalOnly)
{
    public string Name => Provider.Name;
}
