using Microsoft.Extensions.Time.Testing;
using SmtpFailoverProxy.Delivery;

namespace SmtpFailoverProxy.Tests.Delivery;

public sealed class DeliveryQueueTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Enqueued_id_is_ready_at_once()
    {
        using var queue = new DeliveryQueue(_time);
        queue.Enqueue("A");
        Assert.True(queue.Ready.TryRead(out var id));
        Assert.Equal("A", id);
    }

    [Fact]
    public void Scheduled_id_becomes_ready_only_when_its_time_comes_in_due_order()
    {
        using var queue = new DeliveryQueue(_time);
        queue.Schedule("LATE", _time.GetUtcNow().AddMinutes(10));
        queue.Schedule("EARLY", _time.GetUtcNow().AddMinutes(5));
        Assert.False(queue.Ready.TryRead(out _));
        Assert.Equal(2, queue.WaitingCount);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(queue.Ready.TryRead(out var first));
        Assert.Equal("EARLY", first);
        Assert.False(queue.Ready.TryRead(out _));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(queue.Ready.TryRead(out var second));
        Assert.Equal("LATE", second);
        Assert.Equal(0, queue.WaitingCount);
    }

    [Fact]
    public void An_id_is_held_once_until_a_worker_takes_it()
    {
        using var queue = new DeliveryQueue(_time);
        queue.Enqueue("A");
        queue.Enqueue("A");
        Assert.True(queue.Ready.TryRead(out _));
        Assert.False(queue.Ready.TryRead(out _));

        queue.Taken("A");
        queue.Enqueue("A");
        Assert.True(queue.Ready.TryRead(out _));
    }
}
