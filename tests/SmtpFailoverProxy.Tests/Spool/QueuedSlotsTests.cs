using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class QueuedSlotsTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "spool", "slots");

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef.slot")] // as RecycledFiles names them: kept as a Guid
    [InlineData("0123456789ABCDEF0123456789ABCDEF.slot")] // upper case does not survive a Guid: kept as the path
    [InlineData("0000.slot")]
    [InlineData("0123456789abcdef0123456789abcdef.other")]
    public void Every_slot_name_comes_back_exactly(string name)
    {
        var slots = new QueuedSlots(Folder);
        var path = Path.Combine(Folder, name);

        slots.Add("Q1", path);

        Assert.True(slots.TryGet("Q1", out var found));
        Assert.Equal(path, found);
        Assert.True(slots.TryRemove("Q1", out var removed));
        Assert.Equal(path, removed);
        Assert.False(slots.TryGet("Q1", out _));
        Assert.Equal(0, slots.Count);
    }

    [Fact]
    public void Slot_in_another_folder_comes_back_with_its_folder()
    {
        var slots = new QueuedSlots(Folder);
        var elsewhere = Path.Combine(Path.GetTempPath(), "elsewhere", "0123456789abcdef0123456789abcdef.slot");

        slots.Add("Q1", elsewhere);

        Assert.True(slots.TryGet("Q1", out var found));
        Assert.Equal(elsewhere, found);
    }
}
