using System.Net;
using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Configuration;
using SmtpFailoverProxy.Security;

namespace SmtpFailoverProxy.Tests.Security;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_verifies_its_password_only_and_is_salted()
    {
        var hash = PasswordHasher.Hash("correct horse");
        Assert.True(PasswordHasher.IsHash(hash));
        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.False(PasswordHasher.Verify("correct horse ", hash));
        Assert.NotEqual(hash, PasswordHasher.Hash("correct horse"));
    }

    [Theory]
    [InlineData("plaintext")]
    [InlineData("$pbkdf2-sha256$100$c2FsdA==$aGFzaA==")]
    [InlineData("$pbkdf2-sha256$100000$not base64$aGFzaA==")]
    public void Refuses_what_is_not_a_hash(string value)
    {
        Assert.False(PasswordHasher.IsHash(value));
        Assert.False(PasswordHasher.Verify("x", value));
    }
}

public sealed class AuthFailureTrackerTests
{
    [Fact]
    public void Blocks_after_the_limit_within_the_window_and_forgets_after_it()
    {
        var time = new FakeTimeProvider();
        var tracker = new AuthFailureTracker(3, TimeSpan.FromMinutes(15), time);
        var attacker = IPAddress.Parse("192.0.2.7");
        for (var i = 0; i < 3; i++) tracker.RecordFailure(attacker);

        Assert.True(tracker.IsBlocked(attacker));
        Assert.False(tracker.IsBlocked(IPAddress.Loopback));
        time.Advance(TimeSpan.FromMinutes(15));
        Assert.False(tracker.IsBlocked(attacker));
    }
}

public sealed class SmtpSecurityPolicyTests
{
    private static readonly string AliceHash = PasswordHasher.Hash("secret");

    [Theory]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("::1", false, false)]
    [InlineData("::ffff:127.0.0.1", false, false)]
    [InlineData("192.0.2.1", false, true)]
    [InlineData("127.0.0.1", true, true)]
    public void Only_allowed_networks_relay_without_AUTH(string address, bool requireAuth, bool expected)
    {
        var policy = new SmtpSecurityPolicy(new SmtpOptions { RequireAuth = requireAuth }, TimeProvider.System);
        Assert.Equal(expected, policy.RequiresAuth(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1", false, true, true)]
    [InlineData("192.0.2.1", false, true, false)]
    [InlineData("192.0.2.1", true, true, true)]
    [InlineData("127.0.0.1", false, false, false)]
    public void AUTH_is_offered_over_TLS_or_on_loopback_when_allowed(string address, bool secure, bool plaintextOnLoopback, bool expected)
    {
        var options = new SmtpOptions { AllowPlaintextAuthOnLoopback = plaintextOnLoopback, Users = new() { ["alice"] = AliceHash } };
        Assert.Equal(expected, new SmtpSecurityPolicy(options, TimeProvider.System).OffersAuth(IPAddress.Parse(address), secure));
    }

    [Fact]
    public void Authenticates_known_users_with_their_password_only()
    {
        var policy = new SmtpSecurityPolicy(new SmtpOptions { Users = new() { ["alice"] = AliceHash } }, TimeProvider.System);
        Assert.True(policy.Authenticate("alice", "secret"));
        Assert.False(policy.Authenticate("alice", "wrong"));
        Assert.False(policy.Authenticate("mallory", "secret"));
    }
}

public sealed class ClientLimitsTests
{
    [Fact]
    public void A_session_is_the_only_one_while_no_other_is_open()
    {
        var limits = new ClientLimits(new SmtpOptions(), new FakeTimeProvider());

        Assert.Equal(1, limits.StartSession());
        Assert.True(limits.IsOnlySession);
        Assert.Equal(2, limits.StartSession());
        Assert.False(limits.IsOnlySession);
        limits.EndSession();
        Assert.True(limits.IsOnlySession);
        limits.EndSession();
        Assert.False(limits.IsOnlySession);
    }
}
