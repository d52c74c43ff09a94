using Microsoft.Extensions.Configuration;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Tests.Routing;

public sealed class RoutingPolicyTests
{
    [Fact]
    public void Configuration_change_switches_the_primary_live_and_an_operator_override_wins()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Routing:Primary"] = "ses" }).Build();
        using var policy = new RoutingPolicy(new RoutingOptions { Order = ["ses", "gmail"] }, configuration);
        var changes = new List<string>();
        policy.Changed += changes.Add;
        Assert.Equal(["ses", "gmail"], policy.EffectiveOrder);

        configuration["EMAIL_PROVIDER"] = "GMAIL";
        configuration.Reload();
        Assert.Equal(["gmail", "ses"], policy.EffectiveOrder);

        Assert.True(policy.SetOverride("ses"));
        Assert.Equal("ses", policy.Primary);
        Assert.False(policy.SetOverride("postcard"));
        Assert.True(policy.SetOverride(null));
        Assert.Equal("gmail", policy.Primary);
        Assert.Equal(3, changes.Count);
    }

    [Fact]
    public void Unknown_primary_in_a_changed_file_is_ignored_with_a_warning()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();
        using var policy = new RoutingPolicy(new RoutingOptions { Order = ["ses", "gmail"] }, configuration);
        var changes = new List<string>();
        policy.Changed += changes.Add;

        configuration["EMAIL_PROVIDER"] = "SENDGRID";
        configuration.Reload();

        Assert.Equal("ses", policy.Primary);
        Assert.Contains("ignored primary 'SENDGRID'", Assert.Single(changes));
    }
}
