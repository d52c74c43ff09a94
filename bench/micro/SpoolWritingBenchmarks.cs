using BenchmarkDotNet.Attributes;
using SmtpFailoverProxy.Spool;

namespace SmtpFailoverProxy.Microbenchmarks;

/// <summary>
/// A message into the spool and out again: write 4 KB into a (recycled) slot, commit (the header marks it
/// queued, then the sync), then remove it as delivery does (the header marks it free). Alone, and 20 at the same moment as
/// under load, where the group commit shares the syncs. Real disk: the figure depends on the machine.
/// </summary>
public class SpoolWritingBenchmarks
{
    private const int Concurrent = 20;
    private readonly byte[] _message = new byte[4 * 1024];
    private string _root = "";
    private MessageSpool _spool = null!;

    [Params(SpoolSyncMode.FileSystem, SpoolSyncMode.PerFile)]
    public SpoolSyncMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "sfp-micro", Guid.NewGuid().ToString("N"));
        _spool = new MessageSpool(_root, TimeProvider.System, Mode);
        Array.Fill(_message, (byte)'x');
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public Task OneMessage() => AcceptAndRemoveAsync();

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public Task TwentyAtOnce() => Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => Task.Run(AcceptAndRemoveAsync)));

    private async Task AcceptAndRemoveAsync()
    {
        var envelope = new MessageEnvelope(QueueId.New(TimeProvider.System), "app@example.com", ["user@example.com"],
            TimeProvider.System.GetUtcNow(), "127.0.0.1", "client", false, false);
        using (var entry = _spool.Begin(envelope))
        {
            entry.Write(_message);
            await entry.CommitAsync();
        }

        _spool.Remove(_spool.Load(envelope.QueueId)!);
    }
}
