using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Providers.Ses;

namespace SmtpFailoverProxy.Tests.Providers.Ses;

public sealed class SendRatePacerTests
{
    [Fact]
    public void Fifty_sends_at_five_per_second_span_at_least_nine_seconds_and_no_second_holds_more_than_five()
    {
        var pacer = new SendRatePacer(new FakeTimeProvider(), 5);

        // 50 messages queued at the same moment: each reservation says when that send may go.
        var sendAt = Enumerable.Range(0, 50).Select(_ => pacer.Reserve(1)).ToList();

        Assert.True(sendAt[^1] >= TimeSpan.FromSeconds(9), $"last send at {sendAt[^1]}");
        for (var i = 5; i < sendAt.Count; i++)
        {
            Assert.True(sendAt[i] - sendAt[i - 5] >= TimeSpan.FromSeconds(1), $"6 sends within a second ending at {sendAt[i]}");
        }
    }

    [Fact]
    public void A_message_takes_one_token_per_recipient()
    {
        var time = new FakeTimeProvider();
        var pacer = new SendRatePacer(time, 10);
        Assert.Equal(TimeSpan.FromSeconds(1.9), pacer.Reserve(20)); // one message to 20 recipients
        Assert.Equal(TimeSpan.FromSeconds(2.0), pacer.Reserve(1));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve(1));
    }

    [Fact]
    public async Task WaitAsync_waits_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var pacer = new SendRatePacer(time, 2);
        await pacer.WaitAsync(1, CancellationToken.None);
        var next = pacer.WaitAsync(1, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_new_rate_applies_to_the_next_reservation()
    {
        var pacer = new SendRatePacer(new FakeTimeProvider(), 1);
        pacer.Reserve(1);
        pacer.Rate = 100;
        Assert.Equal(TimeSpan.FromSeconds(0.01), pacer.Reserve(1));
    }
}
