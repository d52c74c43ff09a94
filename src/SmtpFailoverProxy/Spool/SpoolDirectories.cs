namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The folders of the spool: <c>slots/</c> for messages, queued or being received, and free files kept
/// for reuse (<see cref="RecycledFiles"/>); <c>queue/</c> for delivery state files, and the queued
/// messages of earlier versions (one file per message); <c>tmp/</c> for state files being written;
/// <c>corrupt/</c> for queued files that cannot be read (kept for an operator, never deleted).
/// </summary>
internal sealed class SpoolDirectories
{
    public SpoolDirectories(string root)
    {
        Root = Path.GetFullPath(root);
        Temp = Path.Combine(Root, "tmp");
        Queue = Path.Combine(Root, "queue");
        Slots = Path.Combine(Root, "slots");
        Corrupt = Path.Combine(Root, "corrupt");
    }

    public string Root { get; }
    public string Temp { get; }
    public string Queue { get; }
    public string Slots { get; }
    public string Corrupt { get; }

    /// <summary>Where earlier versions kept files for reuse; anything there is garbage by definition.</summary>
    private string EarlierFree => Path.Combine(Root, "free");

    /// <summary>Where an earlier version queued a message (one file per message).</summary>
    public string EarlierMessagePath(string queueId) => Path.Combine(Queue, queueId + SpoolFile.Extension);

    public string StatePath(string queueId) => Path.Combine(Queue, queueId + ".state");

    /// <summary>
    /// Creates the folders, removes what a crash left half done (state files never renamed, orphan state
    /// files) and what earlier versions kept for reuse, and reads every slot's header
    /// (<see cref="SlotScan"/>). Returns what the spool holds.
    /// </summary>
    public SpoolContents Prepare()
    {
        Directory.CreateDirectory(Temp);
        Directory.CreateDirectory(Queue);
        Directory.CreateDirectory(Slots);
        foreach (var file in Directory.EnumerateFiles(Temp)) File.Delete(file);
        if (Directory.Exists(EarlierFree)) Directory.Delete(EarlierFree, recursive: true);

        var slots = SlotScan.Run(Slots, Corrupt);
        var earlier = new HashSet<string>(StringComparer.Ordinal);
        var states = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Queue))
        {
            if (file.EndsWith(SpoolFile.Extension, StringComparison.Ordinal)) earlier.Add(Path.GetFileNameWithoutExtension(file));
            else if (file.EndsWith(".state", StringComparison.Ordinal)) states.Add(file);
        }

        var withState = new List<string>();
        foreach (var state in states)
        {
            // A state file whose message is gone: a crash between the two deletes of a finished message.
            var queueId = Path.GetFileNameWithoutExtension(state);
            if (earlier.Contains(queueId) || slots.Queued.ContainsKey(queueId)) withState.Add(queueId);
            else File.Delete(state);
        }

        return new SpoolContents(earlier.Where(QueueId.IsValid).ToList(), slots, withState);
    }
}

/// <summary>What <see cref="SpoolDirectories.Prepare"/> found.</summary>
internal sealed record SpoolContents(List<string> EarlierQueued, SlotScanResult Slots, List<string> WithState);
