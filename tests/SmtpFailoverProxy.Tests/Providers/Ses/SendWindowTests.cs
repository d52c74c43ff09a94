using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Tests.Providers.Ses;

public sealed class SendWindowTests
{
    [Fact]
    public void The_limit_plus_one_waits_until_the_first_start_is_a_second_old()
    {
        var time = new FakeTimeProvider();
        var window = new SendWindow(time, 5);

        for (var i = 0; i < 5; i++)
        {
            Assert.Null(window.TryEnter(1));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // Now at 0.5 s: the first start (at 0) leaves the window at 1.0 s.
        Assert.Equal(TimeSpan.FromMilliseconds(500), window.TryEnter(1));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Null(window.TryEnter(1));
    }

    [Fact]
    public void A_late_send_is_counted_when_it_really_starts_so_the_sends_after_it_wait()
    {
        var time = new FakeTimeProvider();
        var window = new SendWindow(time, 5);
        // Planned 200 ms apart, but the first fired 300 ms late and started with the next ones.
        time.Advance(TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 5; i++) Assert.Null(window.TryEnter(1));

        time.Advance(TimeSpan.FromMilliseconds(700)); // 1.0 s: the 6th planned send
        Assert.Equal(TimeSpan.FromMilliseconds(300), window.TryEnter(1));
    }

    [Fact]
    public void Recipients_count_and_a_message_to_more_than_the_limit_waits_for_an_empty_window()
    {
        var time = new FakeTimeProvider();
        var window = new SendWindow(time, 10);

        Assert.Null(window.TryEnter(4));
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.FromMilliseconds(750), window.TryEnter(50));
        time.Advance(TimeSpan.FromMilliseconds(750));
        Assert.Null(window.TryEnter(50));
        Assert.Equal(TimeSpan.FromSeconds(1), window.TryEnter(1));
    }

    [Fact]
    public async Task EnterAsync_waits_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var window = new SendWindow(time, 1);
        await window.EnterAsync(1, CancellationToken.None);

        var second = window.EnterAsync(1, CancellationToken.None);
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
