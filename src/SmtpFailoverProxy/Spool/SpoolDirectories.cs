namespace SmtpFailoverProxy.Spool;

/// <summary>
/// The folders of the spool: <c>free/</c> for messages being received and files kept for reuse
/// (<see cref="RecycledFiles"/>), <c>queue/</c> for accepted ones, <c>tmp/</c> for state files being written, <c>corrupt/</c> for queued
/// files that cannot be read (kept for an operator, never deleted).
/// </summary>
internal sealed class SpoolDirectories
{
    public SpoolDirectories(string root)
    {
        Root = Path.GetFullPath(root);
        Temp = Path.Combine(Root, "tmp");
        Queue = Path.Combine(Root, "queue");
        Free = Path.Combine(Root, "free");
        Corrupt = Path.Combine(Root, "corrupt");
    }

    public string Root { get; }
    public string Temp { get; }
    public string Queue { get; }
    public string Free { get; }
    public string Corrupt { get; }

    public string MessagePath(string queueId) => Path.Combine(Queue, queueId + SpoolFile.Extension);

    public string StatePath(string queueId) => Path.Combine(Queue, queueId + ".state");

    /// <summary>
    /// Creates the folders and removes what a crash left half done: state files never renamed, orphan
    /// state files. Returns, from one look at the queue, the ids of the queued messages and of those
    /// that keep a state file.
    /// </summary>
    public (List<string> Queued, List<string> WithState) Prepare()
    {
        Directory.CreateDirectory(Temp);
        Directory.CreateDirectory(Queue);
        foreach (var file in Directory.EnumerateFiles(Temp)) File.Delete(file);
        var messages = new HashSet<string>(StringComparer.Ordinal);
        var states = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Queue))
        {
            if (file.EndsWith(SpoolFile.Extension, StringComparison.Ordinal)) messages.Add(Path.GetFileNameWithoutExtension(file));
            else if (file.EndsWith(".state", StringComparison.Ordinal)) states.Add(file);
        }

        var withState = new List<string>();
        foreach (var state in states)
        {
            // A state file whose message is gone: a crash between the two deletes of a finished message.
            if (messages.Contains(Path.GetFileNameWithoutExtension(state))) withState.Add(Path.GetFileNameWithoutExtension(state));
            else File.Delete(state);
        }

        return (messages.Where(QueueId.IsValid).ToList(), withState);
    }
}
