using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// One proxy per spool: <c>spool/lock</c>, held with an exclusive lock (<c>flock</c> on Unix) for the
/// life of the process and released by the kernel when it ends, even by <c>kill -9</c>. Two instances on
/// one spool would deliver each other's messages twice and write into each other's recycled files.
/// </summary>
internal sealed class SpoolLock : IDisposable
{
    private readonly FileStream _file;

    private SpoolLock(FileStream file) => _file = file;

    /// <exception cref="ConfigurationException">Another process holds the spool.</exception>
    public static SpoolLock Acquire(string spoolPath)
    {
        var root = Path.GetFullPath(spoolPath);
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, "lock");
        try
        {
            // FileShare.None: .NET takes flock(LOCK_EX | LOCK_NB) and fails at once if someone holds it.
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n"));
            file.Flush();
            return new SpoolLock(file);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new ConfigurationException("Spool:Path", $"'{root}' is in use by another running smtp-proxy (it holds {path}); each instance needs its own spool");
        }
    }

    public void Dispose() => _file.Dispose();
}
