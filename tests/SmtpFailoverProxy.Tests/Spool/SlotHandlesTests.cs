using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class SlotHandlesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sfp-handles").FullName;

    private string Slot(string name) => Path.Combine(_root, name + ".slot");

    [Fact]
    public void Handle_given_back_is_the_one_taken_next_and_a_slot_without_one_is_opened()
    {
        using var handles = new SlotHandles();
        var first = handles.Take(Slot("a"), FileMode.CreateNew);
        handles.Give(Slot("a"), first);

        var again = handles.Take(Slot("a"));
        var other = handles.Take(Slot("b"), FileMode.CreateNew);

        Assert.Same(first, again);
        Assert.NotSame(first, other);
        Assert.Equal(0, handles.Count);
        Assert.Throws<FileNotFoundException>(() => handles.Take(Slot("missing")));
        again.Dispose();
        other.Dispose();
    }

    [Fact]
    public void Beyond_the_capacity_a_handle_given_back_is_closed()
    {
        using var handles = new SlotHandles(capacity: 1);
        var a = handles.Take(Slot("a"), FileMode.CreateNew);
        var b = handles.Take(Slot("b"), FileMode.CreateNew);

        handles.Give(Slot("a"), a);
        handles.Give(Slot("b"), b);

        Assert.Equal(1, handles.Count);
        Assert.False(a.IsClosed);
        Assert.True(b.IsClosed);
    }

    [Fact]
    public void Forget_and_dispose_close_what_is_kept()
    {
        var handles = new SlotHandles();
        var a = handles.Take(Slot("a"), FileMode.CreateNew);
        var b = handles.Take(Slot("b"), FileMode.CreateNew);
        handles.Give(Slot("a"), a);
        handles.Give(Slot("b"), b);

        handles.Forget(Slot("a"));
        Assert.True(a.IsClosed);
        Assert.False(b.IsClosed);
        handles.Dispose();

        Assert.True(b.IsClosed);
        Assert.Equal(0, handles.Count);
    }

    [Fact]
    public void Kept_write_handle_lets_a_reader_open_the_slot()
    {
        using var handles = new SlotHandles();
        var a = handles.Take(Slot("a"), FileMode.CreateNew);
        RandomAccess.Write(a, "queued"u8, 0);
        handles.Give(Slot("a"), a);

        // Delivery reads a slot whose handle is kept: the kept one must hold no exclusive lock.
        using var reader = new FileStream(Slot("a"), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        Assert.Equal(6, reader.Length);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
