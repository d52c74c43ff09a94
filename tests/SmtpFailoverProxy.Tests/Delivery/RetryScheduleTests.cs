using SmtpFailoverProxy.Delivery;

namespace SmtpFailoverProxy.Tests.Delivery;

public sealed class RetryScheduleTests
{
    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(3, 240)]
    [InlineData(6, 1920)]
    [InlineData(7, 3600)]
    [InlineData(50, 3600)]
    public void Doubles_from_the_initial_delay_up_to_the_cap(int attempts, int seconds)
    {
        var schedule = new RetrySchedule(TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.FromSeconds(seconds), schedule.DelayAfter(attempts));
    }
}
