using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class FreeSpaceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sfp-freespace-").FullName;

    [Fact]
    public void Available_is_what_DriveInfo_says_for_the_folder()
    {
        using var free = new FreeSpace(_folder);

        // Other writers on the machine move both readings a little between them; a field read from the
        // wrong place (total, free to root, block counts) is off by far more: gigabytes, or a factor of 4096.
        var before = new DriveInfo(_folder).AvailableFreeSpace;
        var ours = free.Available;
        var after = new DriveInfo(_folder).AvailableFreeSpace;

        Assert.InRange(ours, Math.Min(before, after) - OthersSlack, Math.Max(before, after) + OthersSlack);
    }

    [Fact]
    public void Available_falls_as_a_file_is_written_and_synced()
    {
        using var free = new FreeSpace(_folder);
        var before = free.Available;

        using (var file = new FileStream(Path.Combine(_folder, "big"), FileMode.CreateNew))
        {
            file.Write(new byte[Written]);
            file.Flush(flushToDisk: true);
        }

        // Its blocks, within what other writers on the machine take or free meanwhile.
        Assert.InRange(before - free.Available, Written - Slack, Written + Slack);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_an_IOException()
    {
        var missing = Path.Combine(_folder, "missing");
        if (OperatingSystem.IsLinux()) Assert.Throws<IOException>(() => new FreeSpace(missing));
        else Assert.ThrowsAny<IOException>(() => new FreeSpace(missing).Available);
    }

    private const int Written = 64 * 1024 * 1024;
    private const long Slack = 16L * 1024 * 1024;
    private const long OthersSlack = 64L * 1024 * 1024;

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
