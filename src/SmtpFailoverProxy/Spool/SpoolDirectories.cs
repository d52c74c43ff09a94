namespace SmtpFailoverProxy.Spool;

/// <summary>The folders of the spool: <c>tmp/</c> for messages being received, <c>queue/</c> for accepted ones.</summary>
internal sealed class SpoolDirectories
{
    public SpoolDirectories(string root)
    {
        Root = Path.GetFullPath(root);
        Temp = Path.Combine(Root, "tmp");
        Queue = Path.Combine(Root, "queue");
    }

    public string Root { get; }
    public string Temp { get; }
    public string Queue { get; }

    public string MessagePath(string queueId) => Path.Combine(Queue, queueId + SpoolFile.Extension);

    public string StatePath(string queueId) => Path.Combine(Queue, queueId + ".state");

    /// <summary>Creates the folders and removes what a crash left half done: messages never acknowledged, orphan state files.</summary>
    public void Prepare()
    {
        Directory.CreateDirectory(Temp);
        Directory.CreateDirectory(Queue);
        foreach (var file in Directory.EnumerateFiles(Temp)) File.Delete(file);
        // A state file whose message is gone: a crash between the two deletes of a finished message.
        foreach (var state in Directory.EnumerateFiles(Queue, "*.state"))
        {
            if (!File.Exists(Path.ChangeExtension(state, SpoolFile.Extension))) File.Delete(state);
        }
    }
}
