using System.Net;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Security;

/// <summary>
/// Who may relay through the proxy: clients in <c>Smtp:AllowedClients</c> (loopback by default) without
/// AUTH unless <c>Smtp:RequireAuth</c>; anyone else only after AUTH, which is offered only over TLS
/// (or on loopback, if allowed), never an open relay.
/// </summary>
internal sealed class SmtpSecurityPolicy
{
    private readonly IPNetwork[] _allowed;
    private readonly SmtpOptions _options;

    public SmtpSecurityPolicy(SmtpOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _allowed = options.AllowedClients.Select(c => IPNetwork.Parse(c)).ToArray();
        Certificate = options.TlsCertificate is null ? null : new TlsCertificateSource(options.TlsCertificate, options.TlsKey, options.TlsPfxPassword);
        AuthFailures = new AuthFailureTracker(options.MaxAuthFailures, options.AuthFailureWindow, timeProvider);
        Limits = new ClientLimits(options, timeProvider);
    }

    /// <summary>Connections, transfers and rates per client.</summary>
    public ClientLimits Limits { get; }

    /// <summary>The TLS certificate, or null when TLS is not configured.</summary>
    public TlsCertificateSource? Certificate { get; }

    public AuthFailureTracker AuthFailures { get; }

    public TimeSpan AuthFailureDelay => _options.AuthFailureDelay;

    /// <summary>True when a client at <paramref name="address"/> must authenticate before MAIL.</summary>
    public bool RequiresAuth(IPAddress? address) => _options.RequireAuth || address is null || !_allowed.Any(n => n.Contains(Normalize(address)));

    /// <summary>Whether AUTH is offered now: users exist, and the channel is TLS or loopback with plaintext allowed.</summary>
    public bool OffersAuth(IPAddress? address, bool secure) =>
        _options.Users.Count > 0 && (secure || _options.AllowPlaintextAuthOnLoopback && address is not null && IPAddress.IsLoopback(address));

    /// <summary>Checks a user's password (constant time; unknown users cost the same as known ones).</summary>
    public bool Authenticate(string user, string password)
    {
        var known = _options.Users.TryGetValue(user, out var hash);
        var ok = PasswordHasher.Verify(password, hash ?? DummyHash);
        return known && ok;
    }

    private static readonly string DummyHash = PasswordHasher.Hash(Guid.NewGuid().ToString());

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
