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

    [Fact]
    public async Task A_waiting_reader_takes_an_id_made_due_inside_the_enqueuing_call_and_outside_the_lock()
    {
        using var queue = new DeliveryQueue(_time);
        var reader = ReadOneAsync(queue);
        Assert.False(reader.IsCompleted);

        queue.Enqueue("A");
        Assert.True(reader.IsCompleted);
        var (id, thread, lockFree) = await reader;
        Assert.Equal("A", id);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.True(lockFree);
    }

    [Fact]
    public async Task A_waiting_reader_takes_an_id_that_came_due_inside_the_timer_and_outside_the_lock()
    {
        using var queue = new DeliveryQueue(_time);
        queue.Schedule("LATER", _time.GetUtcNow().AddMinutes(5));
        var reader = ReadOneAsync(queue);

        _time.Advance(TimeSpan.FromMinutes(5)); // FakeTimeProvider runs the timer's callback on this thread.
        Assert.True(reader.IsCompleted);
        var (id, thread, lockFree) = await reader;
        Assert.Equal("LATER", id);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.True(lockFree);
    }

    /// <summary>
    /// Reads one id as a delivery loop does, and reports on which thread it went on and whether another thread
    /// could take the queue's lock meanwhile (a reader run under it would hold up every session's enqueue).
    /// </summary>
    private static async Task<(string Id, int Thread, bool LockFree)> ReadOneAsync(DeliveryQueue queue)
    {
        // ConfigureAwait(false): xunit's synchronization context would post the continuation; the host has none.
        var id = await queue.Ready.ReadAsync().ConfigureAwait(false);
        var thread = Environment.CurrentManagedThreadId;
        var lockFree = Task.Run(() => queue.WaitingCount).Wait(TimeSpan.FromSeconds(10));
        return (id, thread, lockFree);
    }
}
