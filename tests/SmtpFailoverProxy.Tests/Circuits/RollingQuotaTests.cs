using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Circuits;
using SmtpFailoverProxy.Routing;

namespace SmtpFailoverProxy.Tests.Circuits;

public sealed class RollingQuotaTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero));
    private readonly MemoryStateStore _store = new();

    [Fact]
    public void Ordinary_mail_stops_at_the_reserve_and_critical_mail_may_use_it()
    {
        var quota = new RollingQuota("gmail", 10, 20, _time, _store);
        for (var i = 0; i < 8; i++) quota.Count(1);

        Assert.False(quota.HasRoomFor(MailClass.Transactional));
        Assert.True(quota.HasRoomFor(MailClass.Critical));
        quota.Count(1);
        quota.Count(1);
        Assert.False(quota.HasRoomFor(MailClass.Critical));
        Assert.Equal(10, quota.MessagesSent);
    }

    [Fact]
    public void Counts_leave_the_window_after_24_hours_and_survive_a_restart()
    {
        var quota = new RollingQuota("gmail", 2000, 10, _time, _store);
        quota.Count(3);
        _time.Advance(TimeSpan.FromHours(2));
        quota.Count(2);

        var afterRestart = new RollingQuota("gmail", 2000, 10, _time, _store);
        Assert.Equal(2, afterRestart.MessagesSent);
        Assert.Equal(5, afterRestart.RecipientsSent);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero), afterRestart.NextRoomAt);

        _time.Advance(TimeSpan.FromHours(22.5)); // 09:30 + 24.5 h: the 09:00 hour has left the window
        Assert.Equal(1, afterRestart.MessagesSent);
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, afterRestart.MessagesSent);
    }
}
