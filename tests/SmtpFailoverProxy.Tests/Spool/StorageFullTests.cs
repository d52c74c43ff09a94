using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Tests.Spool;

public sealed class StorageFullTests
{
    [Theory]
    [InlineData(28)]                              // ENOSPC, as .NET reports it on Unix
    [InlineData(122)]                             // EDQUOT
    [InlineData(unchecked((int)0x80070070))]      // Windows ERROR_DISK_FULL
    [InlineData(unchecked((int)0x80070027))]      // Windows ERROR_HANDLE_DISK_FULL
    public void Write_failures_for_want_of_space_are_storage_full(int hresult) =>
        Assert.True(StorageFull.Is(new IOException("full", hresult)));

    [Theory]
    [InlineData(5)]                               // EIO
    [InlineData(13)]                              // EACCES
    [InlineData(0)]
    public void Other_io_failures_are_not(int hresult) =>
        Assert.False(StorageFull.Is(new IOException("other", hresult)));

    [Fact]
    public void Access_denied_is_not() => Assert.False(StorageFull.Is(new UnauthorizedAccessException()));

    [Fact]
    public void A_real_write_to_dev_full_is()
    {
        var ex = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            full.Write(new byte[16]);
        });

        Assert.True(StorageFull.Is(ex), $"HResult {ex.HResult}: {ex.Message}");
    }
}
